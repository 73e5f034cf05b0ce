#pragma once

#include <string>

#include "analyzer/analysis_result.h"

namespace tcpstate {

// The words for an endpoint's possible states, shared by every report.

// Why it may be in `p.state`: "if the server's FIN (pkt 17) reached it and
// its answers were lost before the capture point". `peer` names the other
// endpoint ("client" or "server").
std::string PossibleWhy(const PossibleState& p, const char* peer);

// The possible states alone, "|"-separated ("CLOSE_WAIT|FIN_WAIT_1"); empty
// when there are none.
std::string PossibleStateList(const EndpointRecord& e);

// "ESTABLISHED, or FIN_WAIT_1 if its application closed: ..." for a
// person: the reported state, then each possible one with its reason.
std::string PossibleSentence(const EndpointRecord& e, const char* name,
                             const char* peer);

}  // namespace tcpstate
