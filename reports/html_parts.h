#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"

namespace tcpstate {
namespace html_internal {

// The pieces the HTML report is assembled from (reports/html_report.cc).
// Each returns markup whose every string from the input is HTML-escaped.
// Exposed for the unit tests; not an interface for other reports.

// <table class="plain" id=ID> with a header row of `heads` (plain text,
// not escaped: the callers' constants) and `rows` (already markup).
std::string Table(absl::string_view id, const std::vector<std::string>& heads,
                  const std::string& rows);

// The ladder (sequence) diagram of one connection as inline SVG: the client
// and server lifelines, one arrow per kept segment (flags, relative seq/ack,
// length, packet number), each side's state written on its lifeline where
// its timeline changes, anomalous segments highlighted, lost-after-tap
// segments stopping short with a cross, folds between kept segments. With
// no ladder recorded only the lifelines and the state changes are drawn.
// Marked up for tests: <svg class="ladder" id="ladder-ID"
// data-segments="N">, one <g class="seg..."> per arrow, one
// <g class="state client|server"> per state label.
std::string LadderSvg(const ConnectionRecord& record);

// "SYN,ACK", "FIN,PSH,ACK", "" for no flags (wire order FIN .. CWR, printed
// in the customary SYN, FIN, RST, PSH, ACK, URG, ECE, CWR order).
std::string FlagNames(uint8_t flags);

// The catalogue ids of the kinds set in a LadderSegment::anomaly_kinds.
std::vector<std::string> AnomalyKindIds(uint32_t kinds);

// One bar per connection (the first `max_bars` by id), client state in the
// upper half and server state in the lower half, coloured by state over
// capture time.
std::string TimelineSvg(const AnalysisResult& result, size_t max_bars);

// Histograms (decade bins) of connection durations and handshake RTTs, and
// anomaly records over capture time stacked by severity.
std::string DurationChartSvg(const AnalysisResult& result);
std::string HandshakeRttChartSvg(const AnalysisResult& result);
std::string AnomalyTimeChartSvg(const AnalysisResult& result);

// A bar chart: `bars` in order, each with one count per series.
struct BarChart {
  std::string id;     // element id of the <svg>
  std::string title;  // shown above the plot
  std::vector<std::string> series_classes;  // CSS class per series
  std::vector<std::string> series_names;    // legend (omitted for one)
  struct Bar {
    std::string label;  // under the bar ("" = none)
    std::string tip;    // tooltip
    std::vector<uint64_t> counts;  // one per series
  };
  std::vector<Bar> bars;
  // Labels along the x axis at a fraction (0 = left end, 1 = right end) of
  // its length (e.g. round times); usually the bars carry labels instead.
  struct AxisTick {
    double at = 0;
    std::string label;
  };
  std::vector<AxisTick> axis_ticks;
};
std::string BarChartSvg(const BarChart& chart);

// The connection table's data: {"columns":[...],"rows":[[...],...]}, one
// row per connection; `with_diagram` says (by index) which have a ladder
// on the page. Made safe for a <script> element.
std::string ConnectionsJson(const AnalysisResult& result,
                            const std::vector<bool>& with_diagram);

// The hosts section: SYN floods (sources, rate, time), predictable ISNs
// (the prediction, Nmap's metrics, a plot of the samples), other host
// findings, and one line for the hosts without a finding.
std::string HostsSection(const AnalysisResult& result);

// A number for SVG coordinates: one decimal, no trailing ".0".
std::string Num(double v);

// Round time ticks over [0, span] for an axis: (fraction of the axis,
// "+1m30s"), at most `max_ticks` + 1 of them.
std::vector<BarChart::AxisTick> TimeAxisTicks(absl::Duration span,
                                              int max_ticks);

// The static style sheet and scripts, inlined into the page.
absl::string_view ReportCss();
absl::string_view ErrorTrapScript();  // window.onerror -> #js-errors
absl::string_view ReportScript();     // the connection table

}  // namespace html_internal
}  // namespace tcpstate
