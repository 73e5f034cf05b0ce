#include "reports/live_view.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/escape.h"
#include "reports/format.h"

namespace tcpstate {
namespace {

constexpr size_t kMaxPairRows = 8;
constexpr size_t kMaxAnomalyRows = 5;

std::string Conn(const ConnectionRef& c) {
  return absl::StrCat(FormatEndpoint(c.client_addr, c.client_port), " -> ",
                      FormatEndpoint(c.server_addr, c.server_port));
}

// Collects lines, cut to the width, up to the height.
class Screen {
 public:
  Screen(size_t width, size_t height) : width_(width), height_(height) {}
  void Line(const std::string& text) {
    if (lines_ < height_) {
      const std::string cut = text.substr(0, width_);
      absl::StrAppend(&out_, cut, "\n");
      ++lines_;
    }
  }
  size_t left() const { return height_ - lines_; }
  std::string Take() { return std::move(out_); }

 private:
  size_t width_;
  size_t height_;
  size_t lines_ = 0;
  std::string out_;
};

void Header(const LiveViewModel& m, Screen& s) {
  s.Line(absl::StrCat(
      "tcpstate live on ", TerminalSafe(m.interface),
      m.filter.empty() ? "" : absl::StrCat(" (", TerminalSafe(m.filter), ")"),
      "   ", FormatUtc(m.now).substr(0, 19), " UTC   running ",
      FormatAge(m.running)));
  s.Line(absl::StrFormat(
      "packets %d (%.1f/s)   dropped %d%s   connections open %d, seen %d",
      m.packets, m.packets_per_second, m.dropped,
      m.dropped > 0 ? " (INCOMPLETE)" : "", m.table.open, m.table.created));
  s.Line("");
}

void Pairs(const LiveViewModel& m, Screen& s) {
  s.Line(absl::StrFormat("%-13s %-13s %8s", "CLIENT", "SERVER", "COUNT"));
  if (m.table.pairs.empty()) {
    s.Line("(no open connections)");
  }
  const size_t rows = std::min(kMaxPairRows, m.table.pairs.size());
  for (size_t i = 0; i < rows; ++i) {
    const LiveSnapshot::PairCount& p = m.table.pairs[i];
    s.Line(absl::StrFormat("%-13s %-13s %8d", TcpStateName(p.client),
                           TcpStateName(p.server), p.count));
  }
  if (m.table.pairs.size() > rows) {
    s.Line(absl::StrCat("... ", m.table.pairs.size() - rows,
                        " more state pairs"));
  }
  s.Line("");
}

void Lingering(const LiveViewModel& m, Screen& s, size_t reserve) {
  s.Line(absl::StrCat("LINGERING (handshake, closing or stuck; oldest first): ",
                      m.table.lingering_total));
  const size_t room = s.left() > reserve ? s.left() - reserve : 0;
  size_t rows = std::min(room, m.table.lingering.size());
  const bool more = m.table.lingering_total > rows;
  if (more && rows > 0 && rows == room) {
    --rows;  // leave a line for "... N more"
  }
  for (size_t i = 0; i < rows; ++i) {
    const LiveSnapshot::Lingering& l = m.table.lingering[i];
    const TcpState st =
        l.client ? l.connection.client_state : l.connection.server_state;
    s.Line(absl::StrFormat("%6s  %-6s %-12s %s%s", FormatAge(l.age),
                           l.client ? "client" : "server", TcpStateName(st),
                           Conn(l.connection), l.stuck ? "  STUCK" : ""));
  }
  if (more && s.left() > reserve) {
    s.Line(absl::StrCat("... ", m.table.lingering_total - rows, " more"));
  }
  s.Line("");
}

void Anomalies(const LiveViewModel& m, Screen& s) {
  s.Line("RECENT ANOMALIES");
  if (m.recent.empty()) {
    s.Line("(none)");
  }
  const size_t rows = std::min(kMaxAnomalyRows, m.recent.size());
  for (size_t i = 0; i < rows; ++i) {
    const AnomalyEvent& e = m.recent[i];
    s.Line(absl::StrCat(FormatUtc(e.t).substr(11, 8), "  ", e.anomaly.kind,
                        "  ", e.anomaly.endpoint, "  ", Conn(e.connection)));
  }
}

}  // namespace

std::string FormatAge(absl::Duration age) {
  const int64_t secs = absl::ToInt64Seconds(age);
  if (secs < 60) {
    return absl::StrFormat("%.1fs", absl::ToDoubleSeconds(age));
  }
  if (secs < 3600) {
    return absl::StrFormat("%dm%02ds", secs / 60, secs % 60);
  }
  if (secs < 86400) {
    return absl::StrFormat("%dh%02dm", secs / 3600, secs % 3600 / 60);
  }
  return absl::StrFormat("%dd%02dh", secs / 86400, secs % 86400 / 3600);
}

std::string RenderLiveView(const LiveViewModel& model, size_t width,
                           size_t height) {
  Screen screen(width, height);
  Header(model, screen);
  Pairs(model, screen);
  const size_t anomaly_lines =
      2 + std::min(kMaxAnomalyRows, std::max<size_t>(1, model.recent.size()));
  Lingering(model, screen, anomaly_lines);
  Anomalies(model, screen);
  return screen.Take();
}

}  // namespace tcpstate
