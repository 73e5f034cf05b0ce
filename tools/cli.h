#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "analyzer/analyzer.h"
#include "analyzer/anomaly_catalogue.h"
#include "analyzer/anomaly_options.h"
#include "tools/cli_ci.h"
#include "tools/cli_live.h"

namespace tcpstate {

enum class ReportFormat {
  kText,
  kJson,
  kJsonl,
  kCsv,
  kZeek,
  kMermaid,
  kHtml,
};

// Everything the command line says, validated.
struct CliOptions {
  std::vector<std::string> inputs;  // -r, in order; "-" is stdin
  ReportFormat format = ReportFormat::kText;
  bool format_given = false;  // --format was on the command line
  std::string output;  // -o; empty = standard output
  uint64_t connection = 0;  // --connection (mermaid); 0 = not given
  bool quiet = false;       // --quiet: no progress line
  // --rows N|all (text): the connection table's rows; given: no line
  // budget. --summary, -q: the summary and the anomalies only.
  size_t rows = 50;
  bool rows_given = false;
  bool summary_only = false;
  uint64_t diagrams = 50;  // --diagrams: html ladders beyond flagged ones
  absl::Duration time_wait = absl::Seconds(60);
  // Anomaly thresholds (defaults from AnomalyOptions).
  absl::Duration stuck_after = AnomalyOptions().stuck_after;  // every kind
  // --stuck-after KIND=DUR, in command-line order (a later one wins).
  std::vector<std::pair<AnomalyKind, absl::Duration>> stuck_after_overrides;
  uint32_t syn_flood_min = AnomalyOptions().syn_flood_min;
  uint32_t syn_flood_sources = AnomalyOptions().syn_flood_sources;
  absl::Duration syn_flood_window = AnomalyOptions().syn_flood_window;
  // Flow table caps (AnalyzerOptions defaults).
  uint64_t max_connections = AnalyzerOptions().max_connections;
  uint64_t max_memory_mib = AnalyzerOptions().max_memory_bytes >> 20;
  // -j, --threads; 0: auto (the online cores, at most 16).
  size_t threads = 0;
  // --no-reassembly, --reassembly-timeout, --reassembly-max-datagrams,
  // --reassembly-memory.
  ReassemblyOptions reassembly;
  CiOptions ci;        // --fail-on, --expect, --junit, --baseline, ...
  LiveCliOptions live;  // -i IFACE and the other live-capture options
  std::string filter;  // positional arguments joined by spaces
  // --shard K/N: analyse shard K of N and write a part; shards 0: off.
  uint64_t shard = 0;
  uint64_t shards = 0;
  // `tcpstate merge PART...`: the parts (positional arguments); then
  // `inputs` and `filter` are empty.
  bool merge = false;
  std::vector<std::string> parts;
  bool help = false;
  bool version = false;
  bool list_anomalies = false;  // print the catalogue table and exit
};

// The kinds --stuck-after KIND=DUR accepts, in catalogue order.
inline constexpr AnomalyKind kStuckKinds[] = {
    AnomalyKind::kCloseWaitStuck, AnomalyKind::kFinWait2Stuck,
    AnomalyKind::kFinWait1Stuck, AnomalyKind::kLastAckStuck};

// Parses the arguments after the program name. Options are defined as Abseil
// flags (so their help text lives with them) and are set through Abseil's
// flag registry, but the argument list is walked here: -r/--read may repeat
// (Abseil keeps only the last value of a flag), and errors come back as a
// Status instead of Abseil's exit(1), so the CLI can exit 2 and tests can
// check them. Accepted forms: --name=value, --name value, -r FILE, -r=FILE,
// -rFILE, -o OUT, -oOUT; "--" ends the options. --stuck-after may repeat:
// DUR sets the default of every stuck kind, KIND=DUR overrides one kind.
// Every flag is reset to its default first, so repeated calls (tests) do
// not see earlier values.
absl::StatusOr<CliOptions> ParseCommandLineArgs(
    const std::vector<std::string>& args);

// "60s", "2m", "1.5h", or a bare non-negative number of seconds ("90").
absl::StatusOr<absl::Duration> ParseDurationArg(absl::string_view text);

absl::StatusOr<ReportFormat> ParseFormat(absl::string_view text);

// The --help text, one line per option.
std::string UsageText();

}  // namespace tcpstate
