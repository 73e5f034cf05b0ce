#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "analyzer/analysis_result.h"

namespace tcpstate {

struct HtmlOptions {
  // Ladder diagrams: every flagged connection (the first `max_flagged` by
  // id, so a flood cannot bury the page) plus the first `diagrams` others.
  size_t diagrams = 50;
  size_t max_flagged = 1000;
  // The timeline draws the first `timeline_bars` connections (by id).
  size_t timeline_bars = 500;
};

// Which connections get a ladder diagram, by index into `connections`:
// the first `max_flagged` with anomalies, and the first `others` without.
std::vector<bool> DiagramSelection(
    const std::vector<ConnectionRecord>& connections, size_t others,
    size_t max_flagged);

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
