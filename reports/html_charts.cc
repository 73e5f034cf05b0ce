// Charts of the HTML report (inline SVG): duration and handshake RTT
// histograms, anomalies over capture time.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"

namespace tcpstate {
namespace html_internal {
namespace {

constexpr double kChartW = 520;
constexpr double kChartH = 240;
constexpr double kPlotLeft = 48;
constexpr double kPlotRight = 510;
constexpr double kPlotTop = 40;
constexpr double kPlotBottom = 200;
constexpr size_t kTimeBins = 30;

uint64_t BarTotal(const BarChart::Bar& bar) {
  uint64_t total = 0;
  for (const uint64_t c : bar.counts) {
    total += c;
  }
  return total;
}

std::string Axes(uint64_t max) {
  std::string out = absl::StrCat(
      "<line class=\"axis\" x1=\"", Num(kPlotLeft), "\" y1=\"",
      Num(kPlotBottom), "\" x2=\"", Num(kPlotRight), "\" y2=\"",
      Num(kPlotBottom), "\"/>");
  const uint64_t ticks[] = {0, max / 2, max};
  for (size_t i = 0; i < 3; ++i) {
    if (i > 0 && ticks[i] == ticks[i - 1]) {
      continue;
    }
    const double y = kPlotBottom - (kPlotBottom - kPlotTop) *
                                       static_cast<double>(ticks[i]) /
                                       static_cast<double>(std::max<uint64_t>(max, 1));
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(kPlotLeft),
                    "\" y1=\"", Num(y), "\" x2=\"", Num(kPlotRight), "\" y2=\"",
                    Num(y), "\"/><text class=\"tick\" x=\"", Num(kPlotLeft - 4),
                    "\" y=\"", Num(y + 4), "\">", ticks[i], "</text>");
  }
  return out;
}

std::string AxisLabels(const BarChart& chart) {
  std::string out;
  for (const BarChart::AxisTick& tick : chart.axis_ticks) {
    // Ends anchored inward so that no label is clipped.
    const char* anchor =
        tick.at <= 0.02 ? " start" : (tick.at >= 0.98 ? " end" : "");
    absl::StrAppend(&out, "<text class=\"xl tick-x", anchor, "\" x=\"",
                    Num(kPlotLeft + (kPlotRight - kPlotLeft) * tick.at),
                    "\" y=\"", Num(kPlotBottom + 14), "\">",
                    HtmlEscape(tick.label), "</text>");
  }
  return out;
}

std::string Legend(const BarChart& chart) {
  std::string out;
  if (chart.series_names.size() < 2) {
    return out;
  }
  double x = kPlotLeft;
  for (size_t s = 0; s < chart.series_names.size(); ++s) {
    absl::StrAppend(&out, "<rect class=\"", chart.series_classes[s], "\" x=\"",
                    Num(x), "\" y=\"24\" width=\"10\" height=\"10\"/>",
                    "<text class=\"legend\" x=\"", Num(x + 14), "\" y=\"33\">",
                    HtmlEscape(chart.series_names[s]), "</text>");
    x += 24 + 7.0 * static_cast<double>(chart.series_names[s].size());
  }
  return out;
}

std::string Bars(const BarChart& chart, uint64_t max) {
  std::string out;
  const double slot = (kPlotRight - kPlotLeft) /
                      static_cast<double>(std::max<size_t>(chart.bars.size(), 1));
  const double scale =
      (kPlotBottom - kPlotTop) / static_cast<double>(std::max<uint64_t>(max, 1));
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const BarChart::Bar& bar = chart.bars[i];
    const double x = kPlotLeft + slot * static_cast<double>(i);
    absl::StrAppend(&out, "<g class=\"bar\" data-count=\"", BarTotal(bar),
                    "\"><title>", HtmlEscape(bar.tip), "</title>");
    double y = kPlotBottom;
    for (size_t s = 0; s < bar.counts.size(); ++s) {
      if (bar.counts[s] == 0) {
        continue;
      }
      const double h = scale * static_cast<double>(bar.counts[s]);
      y -= h;
      absl::StrAppend(&out, "<rect class=\"", chart.series_classes[s],
                      "\" x=\"", Num(x + slot * 0.1), "\" y=\"", Num(y),
                      "\" width=\"", Num(slot * 0.8), "\" height=\"", Num(h),
                      "\"/>");
    }
    if (!bar.label.empty()) {
      absl::StrAppend(&out, "<text class=\"xl\" x=\"", Num(x + slot / 2),
                      "\" y=\"", Num(kPlotBottom + 14), "\">",
                      HtmlEscape(bar.label), "</text>");
    }
    out.append("</g>");
  }
  return out;
}

// A decade histogram: bin 0 below edges[0] microseconds, bin i in
// [edges[i-1], edges[i]), the last at or above the last edge.
struct Decades {
  std::vector<int64_t> edges_us;
  std::vector<std::string> labels;  // edges.size() + 1
};

// One series per entry of `series` (values, its CSS class, its name).
struct Series {
  std::vector<absl::Duration> values;
  std::string css;
  std::string name;
};

BarChart Histogram(const std::string& id, const std::string& title,
                   const Decades& d, const std::vector<Series>& series) {
  BarChart chart{id, title, {}, {}, {}, {}};
  std::vector<std::vector<uint64_t>> counts(
      d.labels.size(), std::vector<uint64_t>(series.size(), 0));
  for (size_t s = 0; s < series.size(); ++s) {
    chart.series_classes.push_back(series[s].css);
    chart.series_names.push_back(series[s].name);
    for (const absl::Duration v : series[s].values) {
      const int64_t us = absl::ToInt64Microseconds(v);
      const size_t bin = static_cast<size_t>(
          std::upper_bound(d.edges_us.begin(), d.edges_us.end(), us) -
          d.edges_us.begin());
      ++counts[bin][s];
    }
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    std::vector<std::string> parts;
    for (size_t s = 0; s < series.size(); ++s) {
      parts.push_back(absl::StrCat(counts[i][s], " ", series[s].name));
    }
    chart.bars.push_back({d.labels[i],
                          absl::StrCat(d.labels[i], ": ",
                                       absl::StrJoin(parts, ", ")),
                          counts[i]});
  }
  return chart;
}

}  // namespace

std::string Num(double v) {
  std::string s = absl::StrFormat("%.1f", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) {
    s.resize(s.size() - 2);
  }
  return s == "-0" ? "0" : s;
}

std::vector<BarChart::AxisTick> TimeAxisTicks(absl::Duration span,
                                              int max_ticks) {
  std::vector<BarChart::AxisTick> ticks;
  for (const absl::Duration t : TimeTicks(span, max_ticks)) {
    ticks.push_back({span > absl::ZeroDuration() ? absl::FDivDuration(t, span)
                                                 : 0.0,
                     "+" + TickLabel(t)});
  }
  return ticks;
}

std::string BarChartSvg(const BarChart& chart) {
  uint64_t max = 0;
  uint64_t total = 0;
  for (const BarChart::Bar& bar : chart.bars) {
    max = std::max(max, BarTotal(bar));
    total += BarTotal(bar);
  }
  return absl::StrCat(
      "<svg class=\"chart\" id=\"", chart.id, "\" data-total=\"", total,
      "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"", Num(kChartW),
      "\" height=\"", Num(kChartH), "\" viewBox=\"0 0 ", Num(kChartW), " ",
      Num(kChartH), "\" role=\"img\" aria-label=\"", HtmlEscape(chart.title),
      "\"><text class=\"title\" x=\"", Num(kPlotLeft), "\" y=\"16\">",
      HtmlEscape(chart.title), "</text>", Legend(chart), Axes(max),
      Bars(chart, max), AxisLabels(chart),
      total == 0 ? absl::StrCat("<text class=\"empty\" x=\"",
                                Num((kPlotLeft + kPlotRight) / 2), "\" y=\"",
                                Num((kPlotTop + kPlotBottom) / 2),
                                "\">no data</text>")
                 : "",
      "</svg>");
}

std::string DurationChartSvg(const AnalysisResult& result) {
  static const Decades kDecades{
      {1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000},
      {"<1ms", "1-10ms", "10-100ms", "0.1-1s", "1-10s", "10-100s", "100-1000s",
       "\xe2\x89\xa5" "1000s"}};
  std::vector<absl::Duration> values;
  values.reserve(result.connections.size());
  for (const ConnectionRecord& c : result.connections) {
    values.push_back(c.last_seen - c.first_seen);
  }
  return BarChartSvg(Histogram("chart-durations", "Connection durations",
                               kDecades, {{values, "h", "connections"}}));
}

std::string HandshakeRttChartSvg(const AnalysisResult& result) {
  static const Decades kDecades{
      {10, 100, 1000, 10000, 100000, 1000000},
      {"<10us", "10-100us", "0.1-1ms", "1-10ms", "10-100ms", "0.1-1s",
       "\xe2\x89\xa5" "1s"}};
  Series handshake{{}, "h", "handshakes (SYN to ACK)"};
  Series data{{}, "h2", "data (average per direction)"};
  for (const ConnectionRecord& c : result.connections) {
    if (c.handshake_rtt) {
      handshake.values.push_back(*c.handshake_rtt);
    }
    for (const EndpointRecord* e : {&c.client, &c.server}) {
      if (e->rtt.samples > 0) {
        data.values.push_back(e->rtt.mean);
      }
    }
  }
  return BarChartSvg(Histogram("chart-rtt", "Round trips", kDecades,
                               {handshake, data}));
}

std::string AnomalyTimeChartSvg(const AnalysisResult& result) {
  BarChart chart{"chart-anomalies", "Anomalies over capture time",
                 {"sev-info", "sev-warning", "sev-error"},
                 {"info", "warning", "error"}, {}, {}};
  const absl::Time first = result.summary.first_packet_time.value_or(
      absl::UnixEpoch());
  const absl::Duration span = CaptureDuration(result.summary);
  const absl::Duration width = span / static_cast<int64_t>(kTimeBins);
  chart.bars.resize(kTimeBins, {"", "", {0, 0, 0}});
  chart.axis_ticks = TimeAxisTicks(span, 6);
  auto add = [&](const Anomaly& a) {
    size_t bin = 0;
    if (width > absl::ZeroDuration()) {
      absl::Duration rem;  // IDivDuration writes it: never pass null
      const int64_t b = absl::IDivDuration(a.t - first, width, &rem);
      bin = static_cast<size_t>(
          std::clamp<int64_t>(b, 0, static_cast<int64_t>(kTimeBins) - 1));
    }
    ++chart.bars[bin].counts[static_cast<size_t>(a.severity)];
  };
  for (const ConnectionRecord& c : result.connections) {
    for (const Anomaly& a : c.anomalies) {
      add(a);
    }
  }
  for (const Anomaly& a : result.anomalies) {
    add(a);
  }
  for (size_t i = 0; i < kTimeBins; ++i) {
    BarChart::Bar& bar = chart.bars[i];
    bar.tip = absl::StrCat("+", HumanDuration(width * static_cast<int64_t>(i)),
                           " to +",
                           HumanDuration(width * static_cast<int64_t>(i + 1)),
                           ": ", bar.counts[0], " info, ", bar.counts[1],
                           " warning, ", bar.counts[2], " error");
  }
  return BarChartSvg(chart);
}

}  // namespace html_internal
}  // namespace tcpstate
