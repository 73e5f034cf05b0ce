#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tcpstate {

enum class ReportFormat { kText, kJson, kJsonl };

// Everything the command line says, validated.
struct CliOptions {
  std::vector<std::string> inputs;  // -r, in order; "-" is stdin
  ReportFormat format = ReportFormat::kText;
  std::string output;  // -o; empty = standard output
  absl::Duration time_wait = absl::Seconds(60);
  absl::Duration stuck_after = absl::Seconds(60);
  std::string filter;  // positional arguments joined by spaces
  bool help = false;
  bool version = false;
};

// Parses the arguments after the program name. Options are defined as Abseil
// flags (so their help text lives with them) and are set through Abseil's
// flag registry, but the argument list is walked here: -r/--read may repeat
// (Abseil keeps only the last value of a flag), and errors come back as a
// Status instead of Abseil's exit(1), so the CLI can exit 2 and tests can
// check them. Accepted forms: --name=value, --name value, -r FILE, -r=FILE,
// -rFILE, -o OUT, -oOUT; "--" ends the options. Every flag is reset to its
// default first, so repeated calls (tests) do not see earlier values.
absl::StatusOr<CliOptions> ParseCommandLineArgs(
    const std::vector<std::string>& args);

// "60s", "2m", "1.5h", or a bare non-negative number of seconds ("90").
absl::StatusOr<absl::Duration> ParseDurationArg(absl::string_view text);

absl::StatusOr<ReportFormat> ParseFormat(absl::string_view text);

// The --help text, one line per option.
std::string UsageText();

}  // namespace tcpstate
