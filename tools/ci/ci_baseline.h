#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"
#include "tools/ci/ci_check.h"

namespace tcpstate {

// What a baseline remembers of a result: how many connections ended in each
// (client, server) state pair, and how often each anomaly kind occurred
// (the sum of its records' counts, connection- and host-level).
struct Baseline {
  std::map<std::pair<std::string, std::string>, uint64_t> state_pairs;
  std::map<std::string, uint64_t> kinds;
};

Baseline BaselineOf(const AnalysisResult& result);

// The document --write-baseline writes:
//   {"tcpstate_baseline": 1,
//    "state_pairs": [{"client": "TIME_WAIT", "server": "CLOSED",
//                     "count": 1}, ...],
//    "anomalies": [{"kind": "retransmission", "count": 4}, ...]}
std::string RenderBaseline(const Baseline& baseline);

// Reads either that document or a full `tcpstate --format json` result
// (summary.state_pairs, connections[].anomalies[], anomalies[]).
absl::StatusOr<Baseline> ParseBaseline(absl::string_view json);

// One check per state pair and per anomaly kind of `result`; a check fails
// when its pair or kind is new, or its count is above the baseline's.
std::vector<CheckResult> CompareWithBaseline(const AnalysisResult& result,
                                             const Baseline& baseline);

}  // namespace tcpstate
