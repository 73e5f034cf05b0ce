#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "analyzer/analysis_result.h"

namespace tcpstate {

struct HtmlOptions {
  // Ladder diagrams: every flagged connection plus the first `diagrams`
  // others (by id).
  size_t diagrams = 50;
  // The timeline draws the first `timeline_bars` connections (by id).
  size_t timeline_bars = 500;
};

// Which connections get a ladder diagram, by index into `connections`:
// those with anomalies, and the first `others` without.
std::vector<bool> DiagramSelection(
    const std::vector<ConnectionRecord>& connections, size_t others);

// The HTML report: one self-contained page (inline CSS, script and SVG, no
// network access) with the summary, a sortable, filterable, paged
// connection table (rows in a JSON data island), the connection timeline,
// charts (durations, handshake RTT, anomalies over time) and the ladder
// diagrams. Every string from packets or files is HTML-escaped. Pure
// function of its arguments: byte-identical for equal input.
void WriteHtml(const AnalysisResult& result, const HtmlOptions& options,
               std::ostream& os);
std::string RenderHtml(const AnalysisResult& result,
                       const HtmlOptions& options);

}  // namespace tcpstate
