#pragma once

#include <string>

#include "analyzer/analysis_result.h"

namespace tcpstate {

struct TextOptions {
  // ANSI colours; the caller decides (e.g. the CLI when stdout is a
  // terminal). Reports never look at the environment.
  bool color = false;
};

// The human-readable report: an aligned table with one row per connection,
// its notes and one-line anomaly markers indented below it; then the
// "Anomalies" section (every anomaly, connection- and host-level, grouped by
// kind in catalogue order, with totals and the worst 3 of each kind); then a
// summary. Every string that may come from packets or file names is made
// terminal-safe. Pure function of its arguments.
std::string RenderText(const AnalysisResult& result,
                       const TextOptions& options);

}  // namespace tcpstate
