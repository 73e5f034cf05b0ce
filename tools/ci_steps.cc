#include "tools/ci_steps.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/ci/ci_check.h"
#include "reports/escape.h"
#include "tools/ci/junit.h"

namespace tcpstate {
namespace {

constexpr int kExitPassed = 0;
constexpr int kExitFailed = 1;
constexpr int kExitError = 2;

absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                          absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in || in.bad()) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", what, " '", path, "'"));
  }
  return content.str();
}

bool WriteWholeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::out | std::ios::trunc | std::ios::binary);
  out << content;
  out.flush();
  return static_cast<bool>(out);
}

std::string SuiteName(const AnalysisResult& result) {
  std::vector<std::string> names;
  for (const InputInfo& input : result.inputs) {
    names.push_back(input.name);
  }
  return absl::StrCat("tcpstate ", absl::StrJoin(names, " "));
}

// Every check the options ask for, in a fixed order: --fail-on, --expect,
// --baseline. With only --junit (or --write-baseline), the per-connection
// checks with nothing to fail on, so the report lists the connections.
std::vector<CheckResult> AllChecks(const CiOptions& options,
                                   const CiInputs& inputs,
                                   const AnalysisResult& result) {
  std::vector<CheckResult> checks;
  const bool only_connections =
      options.expect_file.empty() && !inputs.baseline.has_value();
  if (options.HasFailOn() || only_connections) {
    FailOnSpec spec;
    spec.kinds = options.fail_on_kinds;
    spec.min_severity = options.fail_on_severity;
    checks = CheckFailOn(result, spec);
  }
  for (CheckResult& check : EvaluateExpectations(result, inputs.expectations)) {
    checks.push_back(std::move(check));
  }
  if (inputs.baseline) {
    for (CheckResult& check : CompareWithBaseline(result, *inputs.baseline)) {
      checks.push_back(std::move(check));
    }
  }
  return checks;
}

// Each line to standard error, made safe for a terminal.
void PrintLines(const std::string& text) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::cerr << TerminalSafe(line) << "\n";
  }
}

int WriteError(const std::string& what, const std::string& path) {
  std::cerr << "tcpstate: cannot write " << what << " '"
            << TerminalSafe(path) << "'\n";
  return kExitError;
}

}  // namespace

absl::StatusOr<CiInputs> LoadCiInputs(const CiOptions& options) {
  CiInputs inputs;
  if (!options.expect_file.empty()) {
    absl::StatusOr<std::string> text =
        ReadWholeFile(options.expect_file, "expectations file");
    if (!text.ok()) {
      return text.status();
    }
    absl::StatusOr<std::vector<Expectation>> parsed =
        ParseExpectations(*text, options.expect_file);
    if (!parsed.ok()) {
      return parsed.status();
    }
    inputs.expectations = std::move(*parsed);
  }
  if (!options.baseline_file.empty()) {
    absl::StatusOr<std::string> text =
        ReadWholeFile(options.baseline_file, "baseline");
    if (!text.ok()) {
      return text.status();
    }
    absl::StatusOr<Baseline> parsed = ParseBaseline(*text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          options.baseline_file, ": ", parsed.status().message()));
    }
    inputs.baseline = std::move(*parsed);
  }
  return inputs;
}

int RunCiChecks(const CiOptions& options, const CiInputs& inputs,
                const AnalysisResult& result) {
  if (!options.write_baseline_file.empty() &&
      !WriteWholeFile(options.write_baseline_file,
                      RenderBaseline(BaselineOf(result)))) {
    return WriteError("baseline", options.write_baseline_file);
  }
  if (!options.HasFailOn() && options.expect_file.empty() &&
      options.baseline_file.empty() && options.junit_file.empty()) {
    return kExitPassed;  // only --write-baseline
  }
  const std::vector<CheckResult> checks = AllChecks(options, inputs, result);
  if (!options.junit_file.empty() &&
      !WriteWholeFile(options.junit_file,
                      RenderJUnit(SuiteName(result), checks))) {
    return WriteError("JUnit report", options.junit_file);
  }
  if (!AnyFailed(checks)) {
    return kExitPassed;
  }
  PrintLines(FormatFailures(checks));
  const char* github = std::getenv("GITHUB_ACTIONS");
  if (github != nullptr && std::string(github) == "true") {
    PrintLines(GithubAnnotations(checks));
  }
  return kExitFailed;
}

}  // namespace tcpstate
