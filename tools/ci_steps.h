#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzer/analysis_result.h"
#include "tools/ci/ci_baseline.h"
#include "tools/ci/ci_expect.h"
#include "tools/cli_ci.h"

namespace tcpstate {

// The files the CI checks read, loaded before the capture so that a bad
// expectations or baseline file fails fast (exit 2).
struct CiInputs {
  std::vector<Expectation> expectations;
  std::optional<Baseline> baseline;
};

absl::StatusOr<CiInputs> LoadCiInputs(const CiOptions& options);

// Runs the checks on `result`, writes --junit and --write-baseline, prints
// each failure on standard error (and GitHub annotations when
// GITHUB_ACTIONS=true). Returns the exit code: 0 all passed, 1 a check
// failed, 2 a file could not be written.
int RunCiChecks(const CiOptions& options, const CiInputs& inputs,
                const AnalysisResult& result);

}  // namespace tcpstate
