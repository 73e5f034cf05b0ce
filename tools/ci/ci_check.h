#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly.h"

namespace tcpstate {

// CI checks over an AnalysisResult: --fail-on here, expectations in
// ci_expect.h, baselines in ci_baseline.h. Every check yields CheckResults,
// which become JUnit test cases (junit.h), lines on standard error and
// GitHub annotations. Nothing here prints.

// The outcome of one check (one JUnit test case).
struct CheckResult {
  std::string name;       // what was checked, e.g. "expect no refused"
  std::string classname;  // "tcpstate.fail_on", "tcpstate.expect", ...
  bool failed = false;
  std::string type;     // failure type: an anomaly kind or a check name
  std::string message;  // one line: why it failed
  std::vector<std::string> details;  // connections and packets, one a line
};

bool AnyFailed(const std::vector<CheckResult>& checks);

// --fail-on: an anomaly matches when its kind is listed, or its severity is
// at least `min_severity`.
struct FailOnSpec {
  std::vector<std::string> kinds;  // catalogue ids
  std::optional<Severity> min_severity;

  bool Matches(const Anomaly& anomaly) const;
};

// One check per connection, and one per host with host-level anomalies;
// each fails when any of its anomalies matches `spec`. An empty result gives
// one passing check, so a JUnit report is never empty.
std::vector<CheckResult> CheckFailOn(const AnalysisResult& result,
                                     const FailOnSpec& spec);

// "198.18.0.1:40000 -> 198.18.0.2:8000 (id 1)".
std::string DescribeConnection(const ConnectionRecord& c);

// "client FIN_WAIT_2, server CLOSE_WAIT, packets 3-13".
std::string DescribeStates(const ConnectionRecord& c);

// "198.18.0.1:40000 -> 198.18.0.2:8000 (id 1): client FIN_WAIT_2, server
// CLOSE_WAIT, packets 3-13".
std::string DescribeConnectionStates(const ConnectionRecord& c);

// "close_wait_stuck (server) packets 12,13: <detail>".
std::string DescribeAnomaly(const Anomaly& a);

// Appends at most `limit` lines, then "... and N more".
void AppendCapped(const std::vector<std::string>& lines, size_t limit,
                  std::vector<std::string>* out);

// The failures for a person: "FAIL <name>: <message>" and the details
// indented below, one line each; empty when nothing failed.
std::string FormatFailures(const std::vector<CheckResult>& checks);

// GitHub Actions workflow commands, one "::error title=...::..." line per
// failure, with the message and details escaped as GitHub requires.
std::string GithubAnnotations(const std::vector<CheckResult>& checks);

}  // namespace tcpstate
