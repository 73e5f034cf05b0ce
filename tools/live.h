#pragma once

#include <functional>
#include <ostream>

#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "reports/format.h"
#include "tools/cli.h"

namespace tcpstate {

// What main.cc hands the live loop: the analyzer options of the command
// line, and how it writes a final report (the offline code, so every
// --format works live too).
struct LiveHooks {
  AnalyzerOptions analyzer;
  // Writes the report of `result` to `out` in `options.format` (jsonl: the
  // summary line; `tally` counts every connection streamed before), runs
  // the CI checks and returns the exit status.
  std::function<int(const CliOptions& options, const AnalysisResult& result,
                    const ConnectionTally& tally, std::ostream& out)>
      report;
};

// tcpstate -i IFACE: captures until SIGINT/SIGTERM, -c or --duration; on a
// terminal shows the live view (refreshed every second), else streams
// JSONL events; then writes the final report with the capture statistics.
// docs/live.md documents the behaviour and exit statuses.
int RunLive(const CliOptions& options, const LiveHooks& hooks);

}  // namespace tcpstate
