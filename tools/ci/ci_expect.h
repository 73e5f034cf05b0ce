#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"
#include "analyzer/tcp_state.h"
#include "tools/ci/ci_check.h"

namespace tcpstate {

// Expectations files (--expect): one expectation a line, '#' starts a
// comment. The grammar (docs/ci.md has the full description):
//
//   expect connections SELECTOR... STATES...   every matching connection
//                                               ends in these states
//   expect no KIND [SELECTOR...]               no anomaly of KIND
//   expect at most N KIND [SELECTOR...]        at most N occurrences
//   expect count [SELECTOR...] [STATES...] OP N
//                                               number of connections
//
//   SELECTOR: client.addr=A client.port=P server.addr=A server.port=P,
//             or as tcpdump says it: host A, port P (either endpoint)
//   STATES:   client=S[|S...] server=S[|S...] (RFC 9293 names, UNKNOWN;
//             also as ss and netstat print them: ESTAB, SYN-RECV,
//             FIN-WAIT-1, FIN_WAIT2, CLOSE-WAIT, CLOSE ...):
//             the reported state; client~S[|S...] server~S[|S...]: the
//             reported state or one the capture leaves possible
//   OP:       == != < <= > >=

struct ConnectionFilter {
  std::optional<std::string> client_addr;  // canonical text form
  std::optional<uint16_t> client_port;
  std::optional<std::string> server_addr;
  std::optional<uint16_t> server_port;
  // "host A", "port P": either endpoint's.
  std::optional<std::string> host;
  std::optional<uint16_t> port;
  std::vector<TcpState> client_states;  // empty: any
  std::vector<TcpState> server_states;  // empty: any
  // Written client~S / server~S: the state or one of its possible states
  // (EndpointRecord::possible_states) is among them.
  bool client_possible = false;
  bool server_possible = false;

  bool HasSelector() const;
  bool MatchesEndpoints(const ConnectionRecord& c) const;
  bool MatchesStates(const ConnectionRecord& c) const;
};

enum class ExpectationType { kConnections, kNo, kAtMost, kCount };
enum class CountOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Expectation {
  ExpectationType type = ExpectationType::kConnections;
  int line = 0;
  std::string text;  // the line as written, without comment and spaces
  ConnectionFilter filter;
  std::string kind;     // kNo, kAtMost: an anomaly catalogue id
  uint64_t limit = 0;   // kAtMost: N; kCount: the right-hand side
  CountOp op = CountOp::kEq;
};

// Parses an expectations file. `file_name` is only used in errors, which
// read "FILE:LINE:COLUMN: what is wrong" (1-based). An empty file (or one
// with only comments) is an error too: a CI check that checks nothing is
// most likely a mistake.
absl::StatusOr<std::vector<Expectation>> ParseExpectations(
    absl::string_view text, absl::string_view file_name);

// One CheckResult per expectation, in file order.
std::vector<CheckResult> EvaluateExpectations(
    const AnalysisResult& result, const std::vector<Expectation>& expectations);

}  // namespace tcpstate
