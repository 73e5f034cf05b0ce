#include "tools/cli_ci.h"

#include <algorithm>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "analyzer/anomaly_catalogue.h"

// Registered with Abseil like every other option (tools/cli.cc walks the
// argument list and sets them); --fail-on may repeat, so cli.cc collects
// its values itself.
ABSL_FLAG(std::string, fail_on, "", "");
ABSL_FLAG(std::string, fail_on_severity, "", "");
ABSL_FLAG(std::string, expect, "", "");
ABSL_FLAG(std::string, junit, "", "");
ABSL_FLAG(std::string, baseline, "", "");
ABSL_FLAG(std::string, write_baseline, "", "");

namespace tcpstate {
namespace {

std::optional<Severity> SeverityFromName(absl::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError}) {
    if (name == SeverityName(s)) {
      return s;
    }
  }
  return std::nullopt;
}

absl::Status ParseFailOnItem(absl::string_view item, CiOptions* out) {
  if (absl::ConsumePrefix(&item, "severity>=")) {
    const std::optional<Severity> s = SeverityFromName(item);
    if (!s) {
      return absl::InvalidArgumentError(
          absl::StrCat("--fail-on: unknown severity '", item,
                       "' (use info, warning or error)"));
    }
    out->fail_on_severity = out->fail_on_severity
                                ? std::min(*out->fail_on_severity, *s)
                                : *s;
    return absl::OkStatus();
  }
  if (item == "severity") {
    // `--fail-on severity>=warning` unquoted: the shell took
    // ">=warning" as a redirection (and wrote a file named "=warning").
    return absl::InvalidArgumentError(
        "--fail-on: 'severity' alone: the shell took '>=LEVEL' as a "
        "redirection (and created a file named '=LEVEL'); quote it, "
        "--fail-on 'severity>=warning', or use --fail-on-severity warning "
        "(and remove that file)");
  }
  if (!AnomalyKindFromId(item)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--fail-on: unknown anomaly kind '", item,
        "' (see tcpstate --list-anomalies, or use severity>=LEVEL)"));
  }
  if (std::find(out->fail_on_kinds.begin(), out->fail_on_kinds.end(), item) ==
      out->fail_on_kinds.end()) {
    out->fail_on_kinds.emplace_back(item);
  }
  return absl::OkStatus();
}

}  // namespace

bool CiOptions::Active() const {
  return HasFailOn() || !expect_file.empty() || !junit_file.empty() ||
         !baseline_file.empty() || !write_baseline_file.empty();
}

absl::Status ParseFailOn(absl::string_view value, CiOptions* out) {
  if (value.empty()) {
    return absl::InvalidArgumentError("--fail-on needs a kind or severity>=");
  }
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    absl::Status status = ParseFailOnItem(item, out);
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status ReadCiOptions(const std::vector<std::string>& fail_on_values,
                           CiOptions* out) {
  for (const std::string& value : fail_on_values) {
    absl::Status status = ParseFailOn(value, out);
    if (!status.ok()) {
      return status;
    }
  }
  const std::string severity = absl::GetFlag(FLAGS_fail_on_severity);
  if (!severity.empty()) {
    absl::Status status =
        ParseFailOnItem(absl::StrCat("severity>=", severity), out);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--fail-on-severity: unknown severity '", severity,
          "' (use info, warning or error)"));
    }
  }
  out->expect_file = absl::GetFlag(FLAGS_expect);
  out->junit_file = absl::GetFlag(FLAGS_junit);
  out->baseline_file = absl::GetFlag(FLAGS_baseline);
  out->write_baseline_file = absl::GetFlag(FLAGS_write_baseline);
  return absl::OkStatus();
}

}  // namespace tcpstate
