// The per-connection ladder diagram of the HTML report (inline SVG).

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/anomaly_catalogue.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"

namespace tcpstate {
namespace html_internal {
namespace {

constexpr double kWidth = 860;
constexpr double kClientX = 300;
constexpr double kServerX = 680;
constexpr double kTop = 64;      // first arrow
constexpr double kRowH = 40;     // per segment
constexpr double kSlope = 14;    // an arrow's drop, sender to receiver
constexpr double kFoldH = 30;    // a folded run
constexpr double kLabelStep = 15;  // stacked state labels on one side
constexpr double kLostFraction = 0.62;  // where a lost segment stops
constexpr double kKindsH = 18;   // a row's extra height for anomaly kinds
constexpr double kLabelInset = 10;  // labels start this far from the sender

// Vertical position of each kept segment and of each fold band.
struct Rows {
  std::vector<double> seg_y;   // arrow start, by segment index
  std::vector<double> fold_y;  // band top, by fold index
  double bottom = kTop;
};

Rows LayOut(const Ladder& ladder) {
  Rows rows;
  double y = kTop;
  size_t fold = 0;
  for (size_t i = 0; i < ladder.segments.size(); ++i) {
    rows.seg_y.push_back(y);
    y += kRowH + (ladder.segments[i].anomaly_kinds != 0 ? kKindsH : 0);
    while (fold < ladder.folds.size() && ladder.folds[fold].after == i) {
      rows.fold_y.push_back(y - kRowH / 2 + kSlope);
      y += kFoldH;
      ++fold;
    }
  }
  rows.bottom = y;
  return rows;
}

std::string Arrowhead(double x1, double y1, double x2, double y2) {
  const double dx = x2 - x1;
  const double dy = y2 - y1;
  const double len = std::max(1.0, std::sqrt(dx * dx + dy * dy));
  const double ux = dx / len;
  const double uy = dy / len;
  const double bx = x2 - 9 * ux;
  const double by = y2 - 9 * uy;
  return absl::StrCat("<polygon points=\"", Num(x2), ",", Num(y2), " ",
                      Num(bx - 4 * uy), ",", Num(by + 4 * ux), " ",
                      Num(bx + 4 * uy), ",", Num(by - 4 * ux), "\"/>");
}

std::string SegmentLabel(const LadderSegment& s) {
  std::string label = absl::StrCat("#", s.packet, " ");
  const std::string flags = FlagNames(s.flags);
  absl::StrAppend(&label, flags.empty() ? "(none)" : flags, " seq=", s.rel_seq);
  if ((s.flags & 0x10) != 0) {
    absl::StrAppend(&label, " ack=", s.rel_ack);
  }
  absl::StrAppend(&label, " len=", s.len);
  return label;
}

std::string SegmentTip(const LadderSegment& s, absl::Time start,
                       const std::vector<std::string>& kinds) {
  std::string tip = absl::StrCat(SegmentLabel(s), " win=", s.window, " at +",
                                 FormatSeconds(s.t - start), " s");
  if (s.lost_after_tap) {
    tip.append("; lost after the tap");
  }
  if (s.duplicate) {
    tip.append("; duplicate capture");
  }
  if (!kinds.empty()) {
    absl::StrAppend(&tip, "; ", absl::StrJoin(kinds, ", "));
  }
  return tip;
}

std::string SegmentSvg(const LadderSegment& s, double y, absl::Time start) {
  const std::vector<std::string> kinds = AnomalyKindIds(s.anomaly_kinds);
  const double x1 = s.from_client ? kClientX : kServerX;
  const double full = s.from_client ? kServerX : kClientX;
  const double frac = s.lost_after_tap ? kLostFraction : 1.0;
  const double x2 = x1 + (full - x1) * frac;
  const double y2 = y + kSlope * frac;
  std::string cls = "seg";
  if (!kinds.empty()) {
    cls.append(" anom");
  }
  if (s.lost_after_tap) {
    cls.append(" lost");
  }
  if (s.duplicate) {
    cls.append(" dup");
  }
  std::string out = absl::StrCat(
      "<g class=\"", cls, "\" data-packet=\"", s.packet, "\"><title>",
      HtmlEscape(SegmentTip(s, start, kinds)), "</title><line x1=\"", Num(x1),
      "\" y1=\"", Num(y), "\" x2=\"", Num(x2), "\" y2=\"", Num(y2), "\"/>");
  if (s.lost_after_tap) {
    absl::StrAppend(&out, "<path class=\"x\" d=\"M", Num(x2 - 5), " ",
                    Num(y2 - 5), "l10 10m0 -10l-10 10\"/>");
  } else {
    out.append(Arrowhead(x1, y, x2, y2));
  }
  // The label just above the arrow's start and the anomaly kinds just
  // below it, both running from the sender towards the receiver: they stay
  // with their arrow and clear of the lost segment's cross.
  const double label_x = s.from_client ? x1 + kLabelInset : x1 - kLabelInset;
  const char* anchor = s.from_client ? "start" : "end";
  absl::StrAppend(&out, "<text class=\"lbl\" x=\"", Num(label_x), "\" y=\"",
                  Num(y - 4), "\" text-anchor=\"", anchor, "\">",
                  HtmlEscape(SegmentLabel(s)), "</text>");
  if (!kinds.empty()) {
    absl::StrAppend(&out, "<text class=\"kinds\" x=\"", Num(label_x),
                    "\" y=\"", Num(y + kSlope + 14), "\" text-anchor=\"",
                    anchor, "\">", HtmlEscape(absl::StrJoin(kinds, ", ")),
                    "</text>");
  }
  absl::StrAppend(&out, "<text class=\"t\" x=\"8\" y=\"", Num(y + 4), "\">+",
                  FormatSeconds(s.t - start), "</text></g>");
  return out;
}

std::string FoldSvg(const Ladder::Fold& fold, double y) {
  return absl::StrCat(
      "<g class=\"fold\"><rect x=\"", Num(kClientX - 40), "\" y=\"", Num(y),
      "\" width=\"", Num(kServerX - kClientX + 80), "\" height=\"",
      Num(kFoldH - 8), "\"/><text x=\"", Num((kClientX + kServerX) / 2),
      "\" y=\"", Num(y + kFoldH / 2), "\">\xe2\x8b\xaf ", fold.omitted,
      " segment", fold.omitted == 1 ? "" : "s",
      " folded \xe2\x8b\xaf</text></g>");
}

// Where a state change of one side goes: at the arrow of the packet that
// caused it (its start if this side sent it, its end if it received it),
// else just after the last kept segment before that packet. A timer (no
// packet, e.g. TIME_WAIT expiry) goes after the last segment before its
// time.
double StateY(const Ladder& ladder, const Rows& rows, bool client,
              const StateChange& change) {
  double y = kTop - 18;
  for (size_t i = 0; i < ladder.segments.size(); ++i) {
    const LadderSegment& s = ladder.segments[i];
    if (change.packet == 0 ? s.t > change.t : s.packet > change.packet) {
      break;
    }
    if (s.packet == change.packet) {
      return s.from_client == client ? rows.seg_y[i] : rows.seg_y[i] + kSlope;
    }
    y = rows.seg_y[i] + kSlope + 10;
  }
  return y;
}

std::string StateLabel(bool client, double y, const StateChange& change) {
  const char* name = TcpStateName(change.state);
  const double x = client ? kClientX - 6 : kServerX + 6;
  const double w = 8.0 * static_cast<double>(std::string(name).size()) + 8;
  return absl::StrCat(
      "<g class=\"state ", client ? "client" : "server", "\"><title>",
      client ? "client" : "server", " ", name, " at packet ", change.packet,
      "</title><rect class=\"st-", name, "\" x=\"", Num(client ? x - w : x),
      "\" y=\"", Num(y - 9), "\" width=\"", Num(w),
      "\" height=\"13\" rx=\"3\"/><text x=\"", Num(client ? x - 4 : x + 4),
      "\" y=\"", Num(y + 1), "\" text-anchor=\"", client ? "end" : "start",
      "\">", name, "</text></g>");
}

// Labels of one side, pushed down where they would overlap.
std::string StateLabels(const Ladder& ladder, const Rows& rows, bool client,
                        const EndpointRecord& e, Rows* extent) {
  std::string out;
  double last = -1e9;
  for (const StateChange& change : e.timeline) {
    const double y =
        std::max(StateY(ladder, rows, client, change), last + kLabelStep);
    out.append(StateLabel(client, y, change));
    last = y;
    extent->bottom = std::max(extent->bottom, y + kLabelStep);
  }
  return out;
}

std::string Header(const ConnectionRecord& r, double height) {
  std::string out;
  for (const bool client : {true, false}) {
    const EndpointRecord& e = client ? r.client : r.server;
    const double x = client ? kClientX : kServerX;
    absl::StrAppend(&out, "<text class=\"who\" x=\"", Num(x), "\" y=\"16\">",
                    client ? "client" : "server", "</text><text class=\"ep\" x=\"",
                    Num(x), "\" y=\"30\">",
                    HtmlEscape(FormatEndpoint(e.addr, e.port)),
                    "</text><line class=\"life\" x1=\"", Num(x), "\" y1=\"38\" x2=\"",
                    Num(x), "\" y2=\"", Num(height - 6), "\"/>");
  }
  return out;
}

}  // namespace

std::string FlagNames(uint8_t flags) {
  static constexpr struct {
    uint8_t bit;
    const char* name;
  } kOrder[] = {{0x02, "SYN"}, {0x01, "FIN"}, {0x04, "RST"}, {0x08, "PSH"},
                {0x10, "ACK"}, {0x20, "URG"}, {0x40, "ECE"}, {0x80, "CWR"}};
  std::vector<const char*> names;
  for (const auto& f : kOrder) {
    if ((flags & f.bit) != 0) {
      names.push_back(f.name);
    }
  }
  return absl::StrJoin(names, ",");
}

std::vector<std::string> AnomalyKindIds(uint32_t kinds) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < kNumAnomalyKinds && i < 32; ++i) {
    if ((kinds >> i) & 1u) {
      ids.push_back(InfoOf(static_cast<AnomalyKind>(i)).id);
    }
  }
  return ids;
}

std::string LadderSvg(const ConnectionRecord& record) {
  static const Ladder kNoLadder;
  const Ladder& ladder = record.ladder ? *record.ladder : kNoLadder;
  const Rows rows = LayOut(ladder);
  Rows extent = rows;
  std::string body;
  const absl::Time start = ladder.segments.empty()
                               ? record.first_seen
                               : ladder.segments.front().t;
  for (size_t i = 0; i < ladder.segments.size(); ++i) {
    body.append(SegmentSvg(ladder.segments[i], rows.seg_y[i], start));
  }
  for (size_t i = 0; i < rows.fold_y.size(); ++i) {
    body.append(FoldSvg(ladder.folds[i], rows.fold_y[i]));
  }
  body.append(StateLabels(ladder, rows, true, record.client, &extent));
  body.append(StateLabels(ladder, rows, false, record.server, &extent));
  const double height = std::max(rows.bottom, extent.bottom) + 10;
  return absl::StrCat(
      "<svg class=\"ladder\" id=\"ladder-", record.id, "\" data-segments=\"",
      ladder.segments.size(), "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"",
      Num(kWidth), "\" height=\"", Num(height), "\" viewBox=\"0 0 ",
      Num(kWidth), " ", Num(height), "\" role=\"img\" aria-label=\"ladder of connection ",
      record.id, "\">", Header(record, height), body, "</svg>");
}

}  // namespace html_internal
}  // namespace tcpstate
