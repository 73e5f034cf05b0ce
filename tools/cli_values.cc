// The values of the analysis and report options: durations, thresholds,
// caps, --threads, --format and what goes with it. The flags they read are
// defined here; tools/cli.cc walks the arguments and sets them.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "analyzer/analyzer.h"
#include "analyzer/anomaly_catalogue.h"
#include "analyzer/anomaly_options.h"
#include "tools/cli.h"
#include "tools/cli_internal.h"

ABSL_FLAG(std::string, format, "text", "");
ABSL_FLAG(uint64_t, connection, 0, "");
ABSL_FLAG(uint64_t, diagrams, 50, "");
ABSL_FLAG(std::string, rows, "50", "");
ABSL_FLAG(std::string, time_wait, "60s", "");

namespace {

// "60s" for whole seconds (as docs/cli.md writes defaults), else Abseil's
// form ("1.5s", "500ms").
std::string DefaultDuration(absl::Duration d) {
  const int64_t seconds = absl::ToInt64Seconds(d);
  return absl::Seconds(seconds) == d ? absl::StrCat(seconds, "s")
                                     : absl::FormatDuration(d);
}

}  // namespace

ABSL_FLAG(std::string, stuck_after,
          DefaultDuration(tcpstate::AnomalyOptions().stuck_after), "");
ABSL_FLAG(uint32_t, syn_flood_min, tcpstate::AnomalyOptions().syn_flood_min, "");
ABSL_FLAG(uint32_t, syn_flood_sources,
          tcpstate::AnomalyOptions().syn_flood_sources, "");
ABSL_FLAG(uint64_t, max_connections,
          tcpstate::AnalyzerOptions().max_connections, "");
ABSL_FLAG(uint64_t, max_memory,
          tcpstate::AnalyzerOptions().max_memory_bytes >> 20, "");
ABSL_FLAG(std::string, threads, "auto", "");
ABSL_FLAG(std::string, syn_flood_window,
          DefaultDuration(tcpstate::AnomalyOptions().syn_flood_window), "");

namespace tcpstate {
namespace cli_internal {
namespace {

absl::StatusOr<absl::Duration> DurationFlag(absl::string_view name,
                                            const std::string& value) {
  absl::StatusOr<absl::Duration> d = ParseDurationArg(value);
  if (!d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", DisplayName(name), ": ", d.status().message()));
  }
  return d;
}

absl::Status ReadDuration(absl::string_view name, const std::string& value,
                          absl::Duration* out) {
  absl::StatusOr<absl::Duration> d = DurationFlag(name, value);
  if (!d.ok()) {
    return d.status();
  }
  *out = *d;
  return absl::OkStatus();
}

// "KIND=DUR" of --stuck-after; KIND must be one of kStuckKinds.
absl::StatusOr<std::pair<AnomalyKind, absl::Duration>> ParseStuckOverride(
    absl::string_view text) {
  const size_t eq = text.find('=');
  const absl::string_view id = text.substr(0, eq);
  const std::optional<AnomalyKind> kind = AnomalyKindFromId(id);
  const auto* const end = std::end(kStuckKinds);
  if (!kind || std::find(std::begin(kStuckKinds), end, *kind) == end) {
    std::vector<std::string> ids;
    for (AnomalyKind k : kStuckKinds) {
      ids.push_back(InfoOf(k).id);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("--stuck-after: unknown kind '", id, "' (use ",
                     absl::StrJoin(ids, ", "), ")"));
  }
  absl::Duration d;
  const absl::Status status =
      ReadDuration("stuck_after", std::string(text.substr(eq + 1)), &d);
  if (!status.ok()) {
    return status;
  }
  return std::make_pair(*kind, d);
}

absl::Status ReadCount(absl::string_view name, uint32_t value, uint32_t* out) {
  if (value == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", DisplayName(name), " must be at least 1"));
  }
  *out = value;
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadThresholds(const std::vector<std::string>& stuck_overrides,
                            CliOptions* options) {
  for (absl::Status status :
       {ReadDuration("time_wait", absl::GetFlag(FLAGS_time_wait),
                     &options->time_wait),
        ReadDuration("stuck_after", absl::GetFlag(FLAGS_stuck_after),
                     &options->stuck_after),
        ReadDuration("syn_flood_window", absl::GetFlag(FLAGS_syn_flood_window),
                     &options->syn_flood_window),
        ReadCount("syn_flood_min", absl::GetFlag(FLAGS_syn_flood_min),
                  &options->syn_flood_min),
        ReadCount("syn_flood_sources", absl::GetFlag(FLAGS_syn_flood_sources),
                  &options->syn_flood_sources)}) {
    if (!status.ok()) {
      return status;
    }
  }
  for (auto [name, value, out] :
       {std::make_tuple("max_connections", absl::GetFlag(FLAGS_max_connections),
                        &options->max_connections),
        std::make_tuple("max_memory", absl::GetFlag(FLAGS_max_memory),
                        &options->max_memory_mib)}) {
    if (value == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", DisplayName(name), " must be at least 1"));
    }
    *out = value;
  }
  for (const std::string& text : stuck_overrides) {
    absl::StatusOr<std::pair<AnomalyKind, absl::Duration>> o =
        ParseStuckOverride(text);
    if (!o.ok()) {
      return o.status();
    }
    options->stuck_after_overrides.push_back(*o);
  }
  return absl::OkStatus();
}

absl::Status ReadThreads(CliOptions* options) {
  constexpr uint32_t kMaxThreadsOption = 64;
  const std::string text = absl::GetFlag(FLAGS_threads);
  uint32_t n = 0;
  if (text == "auto") {
    options->threads = 0;
    return absl::OkStatus();
  }
  if (!absl::SimpleAtoi(text, &n) || n == 0 || n > kMaxThreadsOption) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads: '", text, "' is not auto or a number from 1 "
                     "to ", kMaxThreadsOption));
  }
  options->threads = n;
  return absl::OkStatus();
}

absl::Status ReadReportOptions(bool diagrams_given, CliOptions* options) {
  absl::StatusOr<ReportFormat> format =
      ParseFormat(absl::GetFlag(FLAGS_format));
  if (!format.ok()) {
    return format.status();
  }
  options->format = *format;
  const std::string rows = absl::GetFlag(FLAGS_rows);
  if (rows == "all") {
    options->rows = std::numeric_limits<size_t>::max();  // kAllRows
  } else if (!absl::SimpleAtoi(rows, &options->rows) || options->rows == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rows: '", rows, "' is not a number of rows (1 or more) or all"));
  }
  options->connection = absl::GetFlag(FLAGS_connection);
  options->diagrams = absl::GetFlag(FLAGS_diagrams);
  const bool mermaid = options->format == ReportFormat::kMermaid;
  if (mermaid && options->connection == 0) {
    return absl::InvalidArgumentError(
        "--format mermaid draws one connection: give --connection ID (the "
        "id from the text or json report)");
  }
  if (!mermaid && options->connection != 0) {
    return absl::InvalidArgumentError(
        "--connection is used only with --format mermaid");
  }
  if (diagrams_given && options->format != ReportFormat::kHtml) {
    return absl::InvalidArgumentError(
        "--diagrams is used only with --format html");
  }
  return absl::OkStatus();
}

}  // namespace cli_internal
}  // namespace tcpstate
