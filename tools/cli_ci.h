#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "analyzer/anomaly.h"

namespace tcpstate {

// The CI options of the command line (--fail-on, --expect, --junit,
// --baseline, --write-baseline), validated.
struct CiOptions {
  std::vector<std::string> fail_on_kinds;  // catalogue ids, in order given
  std::optional<Severity> fail_on_severity;
  std::string expect_file;
  std::string junit_file;
  std::string baseline_file;
  std::string write_baseline_file;

  // Any check (or report) asked for: connections must then be kept in the
  // result even for --format jsonl.
  bool Active() const;
  bool HasFailOn() const {
    return !fail_on_kinds.empty() || fail_on_severity.has_value();
  }
};

// One --fail-on value: "KIND[,KIND...]" and/or "severity>=info|warning|
// error", comma-separated; adds to `out`. Unknown kinds are errors.
absl::Status ParseFailOn(absl::string_view value, CiOptions* out);

// Fills `out` from the CI flags and the --fail-on values given (in order).
absl::Status ReadCiOptions(const std::vector<std::string>& fail_on_values,
                           CiOptions* out);

}  // namespace tcpstate
