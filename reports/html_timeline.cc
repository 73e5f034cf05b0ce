// The connection timeline of the HTML report (inline SVG): one bar per
// connection over capture time, coloured by each endpoint's state.

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"

namespace tcpstate {
namespace html_internal {
namespace {

constexpr double kWidth = 1000;
constexpr double kLeft = 70;     // connection ids
constexpr double kRight = 960;
constexpr double kTop = 28;      // time axis above
constexpr double kHalf = 4;      // client half, server half
constexpr double kRowH = 10;
constexpr double kMinW = 1.5;    // a state that lasted no time still shows
constexpr int kTicks = 8;

class TimeScale {
 public:
  TimeScale(absl::Time first, absl::Duration span)
      : first_(first), span_(span) {}

  double X(absl::Time t) const {
    if (span_ <= absl::ZeroDuration()) {
      return kLeft;
    }
    const double f = absl::FDivDuration(t - first_, span_);
    return kLeft + (kRight - kLeft) * std::clamp(f, 0.0, 1.0);
  }

 private:
  absl::Time first_;
  absl::Duration span_;
};

// One half bar: the endpoint's states from each change to the next, the
// last one up to the connection's last packet.
std::string StateRuns(const ConnectionRecord& c, const EndpointRecord& e,
                      const TimeScale& scale, double y) {
  std::string out;
  for (size_t i = 0; i < e.timeline.size(); ++i) {
    const StateChange& change = e.timeline[i];
    const absl::Time end =
        i + 1 < e.timeline.size() ? e.timeline[i + 1].t : c.last_seen;
    const double x1 = scale.X(change.t);
    const double w = std::max(kMinW, scale.X(end) - x1);
    absl::StrAppend(&out, "<rect class=\"st-", TcpStateName(change.state),
                    "\" x=\"", Num(x1), "\" y=\"", Num(y), "\" width=\"",
                    Num(w), "\" height=\"", Num(kHalf), "\"/>");
  }
  return out;
}

std::string BarRow(const ConnectionRecord& c, const TimeScale& scale,
                   double y) {
  const std::string tip = absl::StrCat(
      "#", c.id, " ", FormatEndpoint(c.client.addr, c.client.port), " \xe2\x86\x92 ",
      FormatEndpoint(c.server.addr, c.server.port), ": ",
      TcpStateName(c.client.state), " / ", TcpStateName(c.server.state),
      c.anomalies.empty() ? "" : " (flagged)");
  std::string out = absl::StrCat(
      "<g class=\"tl-bar", c.anomalies.empty() ? "" : " flagged",
      "\" data-conn=\"", c.id, "\"><title>", HtmlEscape(tip),
      "</title><text class=\"tl-id\" x=\"", Num(kLeft - 4), "\" y=\"",
      Num(y + 2 * kHalf), "\">", c.id, "</text><rect class=\"tl-span\" x=\"",
      Num(scale.X(c.first_seen)), "\" y=\"", Num(y), "\" width=\"",
      Num(std::max(kMinW, scale.X(c.last_seen) - scale.X(c.first_seen))),
      "\" height=\"", Num(2 * kHalf), "\"/>");
  out.append(StateRuns(c, c.client, scale, y));
  out.append(StateRuns(c, c.server, scale, y + kHalf));
  out.append("</g>");
  return out;
}

std::string TimeAxis(absl::Duration span, double height) {
  std::string out;
  for (const BarChart::AxisTick& tick : TimeAxisTicks(span, kTicks)) {
    const double x = kLeft + (kRight - kLeft) * tick.at;
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(x), "\" y1=\"",
                    Num(kTop - 6), "\" x2=\"", Num(x), "\" y2=\"",
                    Num(height - 4), "\"/><text class=\"tick-x\" x=\"", Num(x),
                    "\" y=\"", Num(kTop - 10), "\">", HtmlEscape(tick.label),
                    "</text>");
  }
  return out;
}

}  // namespace

std::string TimelineSvg(const AnalysisResult& result, size_t max_bars) {
  const absl::Time first =
      result.summary.first_packet_time.value_or(absl::UnixEpoch());
  const absl::Duration span = CaptureDuration(result.summary);
  const TimeScale scale(first, span);
  const size_t n = std::min(max_bars, result.connections.size());
  const double height = kTop + kRowH * static_cast<double>(n) + 8;
  std::string bars;
  for (size_t i = 0; i < n; ++i) {
    bars.append(BarRow(result.connections[i], scale,
                       kTop + kRowH * static_cast<double>(i)));
  }
  return absl::StrCat(
      "<svg class=\"timeline\" id=\"timeline-svg\" data-bars=\"", n,
      "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"", Num(kWidth),
      "\" height=\"", Num(height), "\" viewBox=\"0 0 ", Num(kWidth), " ",
      Num(height), "\" role=\"img\" aria-label=\"connection timeline\">",
      TimeAxis(span, height), bars, "</svg>");
}

}  // namespace html_internal
}  // namespace tcpstate
