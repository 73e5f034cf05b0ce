// Evaluation of parsed expectations (ci_expect.h) against a result.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/ci/ci_check.h"
#include "tools/ci/ci_expect.h"

namespace tcpstate {
namespace {

constexpr size_t kMaxConnections = 10;

bool StateIn(TcpState state, const std::vector<TcpState>& states) {
  return states.empty() ||
         std::find(states.begin(), states.end(), state) != states.end();
}

// The reported state in `states`, or with `possible`, one of the states
// the capture leaves possible.
bool EndpointIn(const EndpointRecord& e, const std::vector<TcpState>& states,
                bool possible) {
  if (StateIn(e.state, states)) {
    return true;
  }
  if (possible) {
    for (const PossibleState& p : e.possible_states) {
      if (StateIn(p.state, states)) {
        return true;
      }
    }
  }
  return false;
}

CheckResult NewCheck(const Expectation& e) {
  CheckResult check;
  check.name = absl::StrCat("line ", e.line, ": ", e.text);
  check.classname = "tcpstate.expect";
  return check;
}

void EvaluateConnections(const AnalysisResult& result, const Expectation& e,
                         CheckResult* check) {
  size_t matched = 0;
  std::vector<std::string> wrong;
  for (const ConnectionRecord& c : result.connections) {
    if (!e.filter.MatchesEndpoints(c)) {
      continue;
    }
    ++matched;
    if (!e.filter.MatchesStates(c)) {
      wrong.push_back(DescribeConnectionStates(c));
    }
  }
  if (matched == 0) {
    check->failed = true;
    check->type = "no_connection";
    check->message = "no connection in the capture matches";
    return;
  }
  if (!wrong.empty()) {
    check->failed = true;
    check->type = "connection_state";
    check->message = absl::StrCat(wrong.size(), " of ", matched,
                                  " matching connections end in other states");
    AppendCapped(wrong, kMaxConnections, &check->details);
  }
}

// Occurrences of e.kind (the sum of the records' counts) on connections the
// filter matches, and on hosts when the filter is empty; with the proof.
uint64_t CountKind(const AnalysisResult& result, const Expectation& e,
                   std::vector<std::string>* proof) {
  uint64_t total = 0;
  for (const ConnectionRecord& c : result.connections) {
    if (!e.filter.MatchesEndpoints(c) || !e.filter.MatchesStates(c)) {
      continue;
    }
    for (const Anomaly& a : c.anomalies) {
      if (a.kind == e.kind) {
        total += std::max<uint64_t>(a.count, 1);
        proof->push_back(
            absl::StrCat(DescribeConnection(c), ": ", DescribeAnomaly(a)));
      }
    }
  }
  const bool unfiltered = !e.filter.HasSelector() &&
                          e.filter.client_states.empty() &&
                          e.filter.server_states.empty();
  for (const Anomaly& a : result.anomalies) {
    if (unfiltered && a.kind == e.kind) {
      total += std::max<uint64_t>(a.count, 1);
      proof->push_back(absl::StrCat("host ", DescribeAnomaly(a)));
    }
  }
  return total;
}

void EvaluateKind(const AnalysisResult& result, const Expectation& e,
                  CheckResult* check) {
  std::vector<std::string> proof;
  const uint64_t found = CountKind(result, e, &proof);
  const uint64_t limit = e.type == ExpectationType::kNo ? 0 : e.limit;
  if (found <= limit) {
    return;
  }
  check->failed = true;
  check->type = e.kind;
  check->message = absl::StrCat("found ", found, " ", e.kind,
                                e.type == ExpectationType::kNo
                                    ? ""
                                    : absl::StrCat(", more than ", limit));
  AppendCapped(proof, kMaxConnections, &check->details);
}

bool Compare(uint64_t left, CountOp op, uint64_t right) {
  switch (op) {
    case CountOp::kEq:
      return left == right;
    case CountOp::kNe:
      return left != right;
    case CountOp::kLt:
      return left < right;
    case CountOp::kLe:
      return left <= right;
    case CountOp::kGt:
      return left > right;
    case CountOp::kGe:
      return left >= right;
  }
  return false;
}

const char* OpName(CountOp op) {
  switch (op) {
    case CountOp::kEq:
      return "==";
    case CountOp::kNe:
      return "!=";
    case CountOp::kLt:
      return "<";
    case CountOp::kLe:
      return "<=";
    case CountOp::kGt:
      return ">";
    case CountOp::kGe:
      return ">=";
  }
  return "?";
}

void EvaluateCount(const AnalysisResult& result, const Expectation& e,
                   CheckResult* check) {
  std::vector<std::string> matching;
  for (const ConnectionRecord& c : result.connections) {
    if (e.filter.MatchesEndpoints(c) && e.filter.MatchesStates(c)) {
      matching.push_back(DescribeConnectionStates(c));
    }
  }
  if (Compare(matching.size(), e.op, e.limit)) {
    return;
  }
  check->failed = true;
  check->type = "connection_count";
  check->message =
      absl::StrCat(matching.size(), " connections match; expected ",
                   OpName(e.op), " ", e.limit);
  AppendCapped(matching, kMaxConnections, &check->details);
}

}  // namespace

bool ConnectionFilter::HasSelector() const {
  return client_addr || client_port || server_addr || server_port || host ||
         port;
}

bool ConnectionFilter::MatchesEndpoints(const ConnectionRecord& c) const {
  return (!client_port || *client_port == c.client.port) &&
         (!server_port || *server_port == c.server.port) &&
         (!client_addr || *client_addr == c.client.addr.ToString()) &&
         (!server_addr || *server_addr == c.server.addr.ToString()) &&
         (!port || *port == c.client.port || *port == c.server.port) &&
         (!host || *host == c.client.addr.ToString() ||
          *host == c.server.addr.ToString());
}

bool ConnectionFilter::MatchesStates(const ConnectionRecord& c) const {
  return EndpointIn(c.client, client_states, client_possible) &&
         EndpointIn(c.server, server_states, server_possible);
}

std::vector<CheckResult> EvaluateExpectations(
    const AnalysisResult& result,
    const std::vector<Expectation>& expectations) {
  std::vector<CheckResult> checks;
  for (const Expectation& e : expectations) {
    CheckResult check = NewCheck(e);
    switch (e.type) {
      case ExpectationType::kConnections:
        EvaluateConnections(result, e, &check);
        break;
      case ExpectationType::kNo:
      case ExpectationType::kAtMost:
        EvaluateKind(result, e, &check);
        break;
      case ExpectationType::kCount:
        EvaluateCount(result, e, &check);
        break;
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace tcpstate
