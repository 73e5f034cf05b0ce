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

constexpr size_t kMaxAnomalyRows = 5;
constexpr const char* kBold = "1";
constexpr const char* kRed = "31";
constexpr const char* kYellow = "33";
constexpr const char* kGreen = "32";
constexpr const char* kDim = "2";

std::string Conn(const ConnectionRef& c) {
  return absl::StrCat(FormatEndpoint(c.client_addr, c.client_port), " -> ",
                      FormatEndpoint(c.server_addr, c.server_port));
}

// Collects lines, cut to the width (before any colour, so escape codes
// never count), up to the height.
class Screen {
 public:
  Screen(size_t width, size_t height, bool color)
      : width_(width), height_(height), color_(color) {}
  void Line(const std::string& text, const char* sgr = nullptr) {
    if (lines_ >= height_) {
      return;
    }
    std::string cut = CutToColumns(text, width_);
    if (color_ && sgr != nullptr && !cut.empty()) {
      cut = absl::StrCat("\x1b[", sgr, "m", cut, "\x1b[0m");
    }
    absl::StrAppend(&out_, cut, "\n");
    ++lines_;
  }
  size_t left() const { return height_ - lines_; }
  std::string Take() { return std::move(out_); }

 private:
  // The first `columns` characters of `s` (UTF-8: a character is a lead
  // byte and its continuation bytes).
  static std::string CutToColumns(const std::string& s, size_t columns) {
    size_t seen = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 &&
          seen++ == columns) {
        return s.substr(0, i);
      }
    }
    return s;
  }
  size_t width_;
  size_t height_;
  bool color_;
  size_t lines_ = 0;
  std::string out_;
};

const char* SortName(LiveSort sort) {
  switch (sort) {
    case LiveSort::kRate:
      return "rate";
    case LiveSort::kBytes:
      return "bytes";
    case LiveSort::kAge:
      return "age";
  }
  return "rate";
}

void Header(const LiveViewModel& m, Screen& s) {
  s.Line(absl::StrCat(
             "tcpstate live on ", TerminalSafe(m.interface),
             m.filter.empty() ? ""
                              : absl::StrCat(" (", TerminalSafe(m.filter), ")"),
             "   ", FormatUtc(m.now).substr(0, 19), " UTC   running ",
             FormatAge(m.running), "   q quit, s sort"),
         kBold);
  s.Line(absl::StrFormat(
             "packets %d (%.1f/s)   dropped %d%s   connections open %d, "
             "seen %d",
             m.packets, m.packets_per_second, m.dropped,
             m.dropped > 0 ? " (INCOMPLETE)" : "", m.table.open,
             m.table.created),
         m.dropped > 0 ? kRed : nullptr);
}

// The state pairs on one line, the largest counts first.
void Pairs(const LiveViewModel& m, size_t width, Screen& s) {
  std::string line = "STATES ";
  if (m.table.pairs.empty()) {
    line.append(" (no open connections)");
  }
  for (size_t i = 0; i < m.table.pairs.size(); ++i) {
    const LiveSnapshot::PairCount& p = m.table.pairs[i];
    const std::string item = absl::StrCat("  ", TcpStateName(p.client), "/",
                                          TcpStateName(p.server), " ", p.count);
    const size_t left = m.table.pairs.size() - i;
    const std::string more = absl::StrCat("  +", left, " more");
    if (line.size() + item.size() + (left > 1 ? more.size() : 0) > width) {
      line.append(more);
      break;
    }
    line.append(item);
  }
  s.Line(line);
}

// A section's title (with the total) and at most `rows` lines of it; when
// the total does not fit, the last line says how many more there are.
// `columns`, when not empty, heads the rows.
template <typename Item, typename RowFn, typename ColorFn>
void Section(const std::string& title, const std::string& columns,
             const std::vector<Item>& items, uint64_t total, size_t rows,
             RowFn row, ColorFn color, Screen& s) {
  s.Line(absl::StrCat(title, ": ", total,
                      rows == 0 && total > 0
                          ? absl::StrCat("   (", total,
                                         " not shown: the pane is too short)")
                          : ""),
         kBold);
  if (rows == 0) {
    return;
  }
  if (!columns.empty()) {
    s.Line(columns, kDim);
  }
  const bool cut = total > rows;
  const size_t shown = std::min(items.size(), cut ? rows - 1 : rows);
  for (size_t i = 0; i < shown; ++i) {
    s.Line(row(items[i]), color(items[i]));
  }
  if (cut) {
    s.Line(absl::StrCat("  ... ", total - shown, " more"), kDim);
  }
}

std::string LingeringRow(const LiveSnapshot::Lingering& l) {
  const TcpState st =
      l.client ? l.connection.client_state : l.connection.server_state;
  return absl::StrFormat("%6s  %-6s %-12s %s%s", FormatAge(l.age),
                         l.client ? "client" : "server", TcpStateName(st),
                         Conn(l.connection), l.stuck ? "  STUCK" : "");
}

std::string ActiveRow(const LiveSnapshot::Active& a) {
  return absl::StrFormat(
      "%11s %11s %9s %9s %6s  %s", HumanRate(a.rate_c2s),
      HumanRate(a.rate_s2c), HumanBytes(static_cast<double>(a.bytes_c2s)),
      HumanBytes(static_cast<double>(a.bytes_s2c)), FormatAge(a.age),
      Conn(a.connection));
}

void Anomalies(const LiveViewModel& m, size_t rows, Screen& s) {
  s.Line("RECENT ANOMALIES", kBold);
  if (m.recent.empty() && rows > 0) {
    s.Line("(none)");
  }
  for (size_t i = 0; i < std::min(rows, m.recent.size()); ++i) {
    const AnomalyEvent& e = m.recent[i];
    s.Line(absl::StrCat(FormatUtc(e.t).substr(11, 8), "  ",
                        TerminalSafe(e.anomaly.kind), "  ",
                        TerminalSafe(e.anomaly.endpoint), "  ",
                        Conn(e.connection)),
           e.anomaly.severity == Severity::kError ? kRed : kYellow);
  }
}

}  // namespace

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  size_t unit = 0;
  while (bytes >= 999.95 && unit + 1 < std::size(kUnits)) {
    bytes /= 1000;
    ++unit;
  }
  return unit == 0 ? absl::StrFormat("%.0f%s", bytes, kUnits[unit])
                   : absl::StrFormat("%.1f%s", bytes, kUnits[unit]);
}

std::string HumanRate(double bytes_per_second) {
  return HumanBytes(std::max(0.0, bytes_per_second)) + "/s";
}

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
  Screen screen(width, height, model.color);
  Header(model, screen);
  screen.Line("");
  Pairs(model, width, screen);
  screen.Line("");
  const LiveSnapshot& t = model.table;
  const size_t anomaly_rows = std::min(
      kMaxAnomalyRows, std::max<size_t>(1, model.recent.size()));
  // Two titles, the column header, two blank lines and the anomalies.
  const size_t fixed = 2 + 1 + 2 + 1 + anomaly_rows;
  const size_t room = screen.left() > fixed ? screen.left() - fixed : 0;
  // Stuck and closing endpoints first; the established connections get at
  // least half of the room when they need it.
  const size_t active_need = std::min<size_t>(t.active_total, room / 2);
  const size_t lingering_rows =
      std::min<size_t>(t.lingering_total, room - active_need);
  const size_t active_rows =
      std::min<size_t>(t.active_total, room - lingering_rows);
  Section(
      "STUCK AND CLOSING (stuck first, then oldest)", "", t.lingering,
      t.lingering_total, lingering_rows, LingeringRow,
      [](const LiveSnapshot::Lingering& l) { return l.stuck ? kRed : kYellow; },
      screen);
  screen.Line("");
  Section(
      absl::StrCat("ESTABLISHED (by ", SortName(t.sort), ", largest first)"),
      absl::StrFormat("%11s %11s %9s %9s %6s  %s", "C->S RATE", "S->C RATE",
                      "C->S", "S->C", "AGE", "CONNECTION"),
      t.active,
      t.active_total, active_rows, ActiveRow,
      [](const LiveSnapshot::Active& a) {
        return a.rate_c2s + a.rate_s2c > 0 ? kGreen : nullptr;
      },
      screen);
  screen.Line("");
  Anomalies(model, anomaly_rows, screen);
  return screen.Take();
}

}  // namespace tcpstate
