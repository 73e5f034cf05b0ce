#pragma once

#include <optional>

#include "dissectors/link_type.h"

namespace tcpstate {

// Maps a libpcap DLT_ value (what pcap_datalink() returns) to the framing
// the dissectors understand; std::nullopt when the framing is unsupported.
// Both DLT_RAW spellings (12, 14) and LINKTYPE_RAW (101) map to kRaw.
std::optional<LinkType> LinkTypeFromDlt(int dlt);

// The supported link types by libpcap name, comma separated, for messages.
const char* SupportedLinkTypeNames();

}  // namespace tcpstate
