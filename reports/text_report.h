#pragma once

#include <cstddef>
#include <string>

#include "analyzer/analysis_result.h"

namespace tcpstate {

struct TextOptions {
  // ANSI colours; the caller decides (e.g. the CLI when stdout is a
  // terminal and NO_COLOR is unset). Reports never look at the environment.
  bool color = false;
  // The connection table: at most `max_rows` connections (flagged ones
  // first) and, while the table is not asked for whole, at most
  // `max_table_lines` lines; then one line says how many more there are.
  size_t max_rows = 50;
  size_t max_table_lines = 120;
  // The summary and the anomalies only (--summary, -q).
  bool summary_only = false;
};

// Everything: --rows all.
inline constexpr size_t kAllRows = static_cast<size_t>(-1);

// The human-readable report, bounded whatever the capture's size: the
// summary (capture, counts, state pairs, decode counters, inputs); the
// "Anomalies" section (every anomaly, connection- and host-level, grouped by
// kind, the worst severity first, with totals and the worst 3 of each
// kind); the connection table (flagged connections first, at most
// max_rows, each row with its possible states, notes and anomaly markers
// indented below it, then how many more); the hosts with a finding (at most
// 10) and one line for the others. Every string that may come from packets
// or file names is made terminal-safe. Pure function of its arguments.
std::string RenderText(const AnalysisResult& result,
                       const TextOptions& options);

}  // namespace tcpstate
