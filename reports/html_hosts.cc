// The hosts section of the HTML report: SYN floods with their sources,
// rate and time; predictable ISNs with the prediction, Nmap's metrics and a
// plot of the samples; one line for every other host that chose ISNs.

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/anomaly_catalogue.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"

namespace tcpstate {
namespace html_internal {
namespace {

constexpr size_t kMaxHosts = 100;
constexpr double kPlotW = 640;
constexpr double kPlotH = 220;
constexpr double kLeft = 92;
constexpr double kRight = 620;
constexpr double kTop = 16;
constexpr double kBottom = 186;

struct IsnSample {
  absl::Duration t;  // since the capture's first packet
  uint32_t isn = 0;
  uint64_t packet = 0;
};

std::string Since(absl::Time t, absl::Time start) {
  return "+" + HumanDuration(t - start);
}

std::string Rate(const Anomaly& a) {
  if (a.duration < absl::Milliseconds(1)) {
    return absl::StrCat(a.count, " at once");
  }
  return absl::StrFormat("%.0f/s", static_cast<double>(a.count) /
                                       absl::ToDoubleSeconds(a.duration));
}

std::string FloodRows(const std::vector<const HostRecord*>& hosts,
                      absl::Time start, AnomalyKind kind) {
  const std::string id = InfoOf(kind).id;
  std::string rows;
  for (const HostRecord* host : hosts) {
    for (const Anomaly& a : host->anomalies) {
      if (a.kind != id) {
        continue;
      }
      absl::StrAppend(
          &rows, "<tr><td>", HtmlEscape(host->addr.ToString()), "</td><td>",
          Since(a.t, start), "</td><td>", HumanDuration(a.duration),
          "</td><td class=\"num\">", a.count, "</td><td class=\"num\">",
          Rate(a), "</td><td>", HtmlEscape(a.detail), "</td></tr>\n");
    }
  }
  return rows;
}

std::string OtherFindingRows(const std::vector<const HostRecord*>& hosts,
                             absl::Time start) {
  std::string rows;
  for (const HostRecord* host : hosts) {
    for (const Anomaly& a : host->anomalies) {
      const auto kind = AnomalyKindFromId(a.kind);
      if (kind && (*kind == AnomalyKind::kSynFlood ||
                   *kind == AnomalyKind::kPredictableIsn)) {
        continue;
      }
      const char* severity = SeverityName(a.severity);
      absl::StrAppend(&rows, "<tr><td>", HtmlEscape(host->addr.ToString()),
                      "</td><td>", HtmlEscape(a.kind),
                      "</td><td><span class=\"sev sev-", severity, "\">",
                      severity, "</span></td><td>", Since(a.t, start),
                      "</td><td>", HtmlEscape(a.detail), "</td></tr>\n");
    }
  }
  return rows;
}

// The ISN samples of each shown host: its endpoints whose SYN is one of
// the host's evidence packets.
absl::flat_hash_map<const HostRecord*, std::vector<IsnSample>> SamplesOf(
    const AnalysisResult& r, const std::vector<const HostRecord*>& hosts,
    absl::Time start) {
  absl::flat_hash_map<IpAddress, const HostRecord*> by_addr;
  absl::flat_hash_map<const HostRecord*, absl::flat_hash_set<uint64_t>>
      evidence;
  for (const HostRecord* host : hosts) {
    if (host->isn && host->isn->predictable) {
      by_addr[host->addr] = host;
      evidence[host].insert(host->isn->evidence.begin(),
                            host->isn->evidence.end());
    }
  }
  absl::flat_hash_map<const HostRecord*, std::vector<IsnSample>> samples;
  for (const ConnectionRecord& c : r.connections) {
    for (const EndpointRecord* e : {&c.client, &c.server}) {
      if (!e->isn) {
        continue;
      }
      const auto it = by_addr.find(e->addr);
      if (it != by_addr.end() && evidence[it->second].contains(e->isn_packet)) {
        samples[it->second].push_back({e->isn_time - start, *e->isn,
                                       e->isn_packet});
      }
    }
  }
  for (auto& [host, list] : samples) {
    std::sort(list.begin(), list.end(),
              [](const IsnSample& a, const IsnSample& b) {
                return a.packet < b.packet;
              });
  }
  return samples;
}

// The samples' ISNs unwrapped (modulo 2^32, each step the shorter way
// round, as sequence numbers compare), so that a fixed increment that
// wraps still draws a straight line.
std::vector<int64_t> Unwrapped(const std::vector<IsnSample>& s) {
  std::vector<int64_t> v;
  for (size_t i = 0; i < s.size(); ++i) {
    v.push_back(i == 0 ? s[0].isn
                       : v.back() + static_cast<int32_t>(s[i].isn -
                                                         s[i - 1].isn));
  }
  return v;
}

std::string IsnPlot(const std::string& id, const std::vector<IsnSample>& s,
                    absl::Duration span) {
  const std::vector<int64_t> v = Unwrapped(s);
  int64_t lo = v.empty() ? 0 : *std::min_element(v.begin(), v.end());
  int64_t hi = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  if (lo == hi) {
    --lo;
    ++hi;
  }
  const double range = static_cast<double>(hi - lo);
  auto x_of = [&](absl::Duration t) {
    const double f = span > absl::ZeroDuration() ? absl::FDivDuration(t, span)
                                                 : 0.0;
    return kLeft + (kRight - kLeft) * std::clamp(f, 0.0, 1.0);
  };
  auto y_of = [&](int64_t x) {
    return kBottom - (kBottom - kTop) * static_cast<double>(x - lo) / range;
  };
  std::string out = absl::StrCat(
      "<svg class=\"chart isn-plot\" id=\"", id, "\" data-samples=\"",
      s.size(), "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"",
      Num(kPlotW), "\" height=\"", Num(kPlotH), "\" viewBox=\"0 0 ",
      Num(kPlotW), " ", Num(kPlotH),
      "\" role=\"img\" aria-label=\"ISN samples over capture time\">");
  for (const int64_t x : {lo, hi}) {
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(kLeft), "\" y1=\"",
                    Num(y_of(x)), "\" x2=\"", Num(kRight), "\" y2=\"",
                    Num(y_of(x)), "\"/><text class=\"tick\" x=\"",
                    Num(kLeft - 4), "\" y=\"", Num(y_of(x) + 4), "\">",
                    static_cast<uint32_t>(x), "</text>");
  }
  for (const BarChart::AxisTick& tick : TimeAxisTicks(span, 6)) {
    absl::StrAppend(&out, "<text class=\"xl tick-x\" x=\"",
                    Num(kLeft + (kRight - kLeft) * tick.at), "\" y=\"",
                    Num(kBottom + 16), "\">", HtmlEscape(tick.label),
                    "</text>");
  }
  absl::StrAppend(&out, "<line class=\"axis\" x1=\"", Num(kLeft), "\" y1=\"",
                  Num(kBottom), "\" x2=\"", Num(kRight), "\" y2=\"",
                  Num(kBottom), "\"/>");
  for (size_t i = 0; i < s.size(); ++i) {
    absl::StrAppend(&out, "<circle class=\"pt\" cx=\"", Num(x_of(s[i].t)),
                    "\" cy=\"", Num(y_of(v[i])), "\" r=\"3.5\"><title>packet ",
                    s[i].packet, ": ISN ", s[i].isn, " at +",
                    HumanDuration(s[i].t), "</title></circle>");
  }
  out.append("</svg>");
  return out;
}

std::string IsnSentence(const HostIsn& isn) {
  std::string out = absl::StrCat(
      "ISNs ", HtmlEscape(isn.isn_class), " over ", isn.samples,
      " connections: GCD ", isn.gcd, ", ISR ", isn.isr, ", SP ", isn.sp, " (",
      HtmlEscape(isn.difficulty), ").");
  if (isn.next_predicted) {
    absl::StrAppend(&out, " The next ISN is predicted as <b>",
                    *isn.next_predicted, "</b>.");
  }
  if (isn.check) {
    const IsnCheck& c = *isn.check;
    absl::StrAppend(&out, " Checked on the last sample (packet ", c.packet,
                    "): predicted as ", c.predicted,
                    " from the earlier ones, observed ", c.observed,
                    c.predicted == c.observed
                        ? " (exact)."
                        : absl::StrFormat(" (off by %+d).",
                                          static_cast<int32_t>(c.observed -
                                                               c.predicted)));
  }
  return out;
}

std::string IsnArticles(
    const std::vector<const HostRecord*>& hosts,
    const absl::flat_hash_map<const HostRecord*, std::vector<IsnSample>>&
        samples,
    absl::Duration span) {
  std::string out;
  size_t n = 0;
  for (const HostRecord* host : hosts) {
    if (!host->isn || !host->isn->predictable) {
      continue;
    }
    const HostIsn& isn = *host->isn;
    const auto it = samples.find(host);
    static const std::vector<IsnSample> kNone;
    const std::vector<IsnSample>& s = it == samples.end() ? kNone : it->second;
    std::vector<std::string> extra;
    if (!isn.ip_id_class.empty()) {
      extra.push_back("IP ID " + HtmlEscape(isn.ip_id_class));
    }
    if (isn.ts_hz) {
      extra.push_back(absl::StrCat("TCP timestamp clock ", *isn.ts_hz, " Hz"));
    }
    absl::StrAppend(
        &out, "<article class=\"isn-host\" data-host=\"",
        HtmlEscape(host->addr.ToString()), "\"><h4>",
        HtmlEscape(host->addr.ToString()),
        ": <span class=\"sev sev-warning\">predictable ISNs</span></h4>"
        "<p class=\"isn-sentence\">",
        IsnSentence(isn), extra.empty() ? "" : " ",
        absl::StrJoin(extra, ", "), extra.empty() ? "" : ".", "</p>\n",
        IsnPlot(absl::StrCat("isn-plot-", n++), s, span), "</article>\n");
  }
  return out;
}

}  // namespace

std::string HostsSection(const AnalysisResult& r) {
  const HostTally tally = TallyHosts(r.hosts, kMaxHosts);
  const absl::Time start = r.summary.first_packet_time.value_or(
      absl::UnixEpoch());
  std::string out = "<section id=\"hosts\"><h2>Hosts</h2>\n";
  if (tally.with_finding == 0) {
    out.append("<p id=\"hosts-none\">No host-level finding: no SYN flood, no "
               "predictable ISNs.</p>\n");
  } else if (tally.with_finding > tally.shown.size()) {
    absl::StrAppend(&out, "<p class=\"note\">The first ", tally.shown.size(),
                    " of ", tally.with_finding,
                    " hosts with a finding (by address); --format json "
                    "lists them all.</p>\n");
  }
  const std::string floods =
      FloodRows(tally.shown, start, AnomalyKind::kSynFlood);
  if (!floods.empty()) {
    absl::StrAppend(&out, "<h3>SYN floods</h3>\n",
                    Table("syn-floods",
                          {"host", "from", "for", "half-open handshakes",
                           "rate", "finding"},
                          floods));
  }
  const std::string isn = IsnArticles(
      tally.shown, SamplesOf(r, tally.shown, start), CaptureDuration(r.summary));
  if (!isn.empty()) {
    absl::StrAppend(&out, "<h3>Predictable initial sequence numbers</h3>\n",
                    "<p>Each dot is a connection's ISN (SYN or SYN-ACK) over "
                    "capture time.</p>\n<div class=\"isn-grid\">", isn,
                    "</div>\n");
  }
  const std::string other = OtherFindingRows(tally.shown, start);
  if (!other.empty()) {
    absl::StrAppend(&out, "<h3>Other host findings</h3>\n",
                    Table("host-findings",
                          {"host", "anomaly", "severity", "from", "finding"},
                          other));
  }
  if (tally.others > 0) {
    std::vector<std::string> verdicts;
    for (const auto& [verdict, n] : tally.other_verdicts) {
      verdicts.push_back(absl::StrCat(n, " ", HtmlEscape(verdict)));
    }
    absl::StrAppend(&out, "<p id=\"hosts-others\">",
                    tally.shown.empty() ? "" : "Other hosts: ", tally.others,
                    tally.others == 1 ? " host" : " hosts",
                    " chose ISNs that are not predictable (",
                    absl::StrJoin(verdicts, ", "), ").</p>\n");
  }
  out.append("</section>\n");
  return out;
}

}  // namespace html_internal
}  // namespace tcpstate
