#include "reports/html_report.h"

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "analyzer/anomaly_catalogue.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"
#include "reports/possible_text.h"

namespace tcpstate {
namespace html_internal {

std::string Table(absl::string_view id, const std::vector<std::string>& heads,
                  const std::string& rows) {
  std::string out = absl::StrCat("<table class=\"plain\" id=\"", id, "\"><tr>");
  for (const std::string& head : heads) {
    absl::StrAppend(&out, "<th>", head, "</th>");
  }
  absl::StrAppend(&out, "</tr>\n", rows, "</table>\n");
  return out;
}

}  // namespace html_internal

namespace {

using html_internal::Table;

// <tr><td>..</td>..</tr> from cells already escaped.
std::string Row(const std::vector<std::string>& cells) {
  std::string out = "<tr>";
  for (const std::string& cell : cells) {
    absl::StrAppend(&out, "<td>", cell, "</td>");
  }
  out.append("</tr>\n");
  return out;
}

// A definition list of (name, value) pairs; values are already HTML.
std::string FactList(
    absl::string_view id,
    const std::vector<std::pair<std::string, std::string>>& facts) {
  std::string out = absl::StrCat("<dl class=\"facts\" id=\"", id, "\">");
  for (const auto& [name, value] : facts) {
    absl::StrAppend(&out, "<div><dt>", name, "</dt><dd>", value,
                    "</dd></div>");
  }
  out.append("</dl>\n");
  return out;
}

std::string CaptureFacts(const AnalysisResult& r) {
  const CaptureSummary& s = r.summary;
  const std::vector<std::pair<std::string, std::string>> facts = {
      {"packets", absl::StrCat(s.packets)},
      {"bytes", absl::StrCat(s.bytes)},
      {"TCP packets", absl::StrCat(s.tcp_packets)},
      {"connections", absl::StrCat(s.connections)},
      {"finished / evicted / open at end",
       absl::StrCat(s.connections_finished, " / ", s.connections_evicted,
                    " / ", s.connections_open_at_end)},
      {"first packet", s.first_packet_time ? FormatUtc(*s.first_packet_time)
                                           : "-"},
      {"last packet", s.last_packet_time ? FormatUtc(*s.last_packet_time)
                                         : "-"},
      {"capture span", FormatSeconds(CaptureDuration(s)) + " s"},
      {"timestamps backwards", absl::StrCat(s.timestamps_backwards)},
  };
  return FactList("capture-facts", facts);
}

// A live run's libpcap statistics; drops make the states unreliable.
std::string LiveCaptureFacts(const LiveCaptureInfo& live) {
  std::string out;
  if (live.incomplete()) {
    out.append(
        "<p class=\"error\" id=\"live-incomplete\">Incomplete: packets were "
        "dropped before tcpstate saw them; the states of their connections "
        "may be wrong.</p>\n");
  }
  const std::vector<std::pair<std::string, std::string>> facts = {
      {"interface", HtmlEscape(live.interface)},
      {"started", FormatUtc(live.started)},
      {"stopped", absl::StrCat(FormatUtc(live.stopped), " (",
                               HtmlEscape(live.stop_reason), ")")},
      {"received", absl::StrCat(live.received)},
      {"dropped by the kernel", absl::StrCat(live.dropped_by_kernel)},
      {"dropped by the interface", absl::StrCat(live.dropped_by_interface)},
      {"sockets", absl::StrCat(live.sockets, " (", live.wrong_shard,
                               " packets handed over)")},
  };
  out.append(FactList("live-capture", facts));
  return out;
}

std::string InputsTable(const AnalysisResult& r) {
  std::string rows;
  for (const InputInfo& in : r.inputs) {
    rows.append(Row({HtmlEscape(in.name), HtmlEscape(in.link_type),
                     absl::StrCat(in.packets), absl::StrCat(in.bytes),
                     HtmlEscape(in.error)}));
  }
  return Table("inputs", {"input", "link type", "packets", "bytes", "error"},
               rows);
}

std::string StatePairsTable(const AnalysisResult& r) {
  std::string rows;
  for (const ConnectionTally::StatePair& p :
       ConnectionTally::Of(r.connections).StatePairs()) {
    rows.append(Row({absl::StrCat("<span class=\"pill st-", p.client, "\">",
                                  HtmlEscape(p.client), "</span>"),
                     absl::StrCat("<span class=\"pill st-", p.server, "\">",
                                  HtmlEscape(p.server), "</span>"),
                     absl::StrCat(p.count)}));
  }
  return Table("state-pairs", {"client state", "server state", "connections"},
               rows);
}

struct KindTotals {
  Severity severity = Severity::kInfo;
  uint64_t records = 0;
  uint64_t occurrences = 0;
};

// Anomaly kinds in catalogue order, then kinds the catalogue does not know
// (by name).
std::string AnomalyKindsTable(const AnalysisResult& r) {
  std::map<std::string, KindTotals> totals;
  auto add = [&totals](const Anomaly& a) {
    KindTotals& t = totals[a.kind];
    t.severity = a.severity;
    ++t.records;
    t.occurrences += a.count;
  };
  for (const ConnectionRecord& c : r.connections) {
    for (const Anomaly& a : c.anomalies) {
      add(a);
    }
  }
  for (const Anomaly& a : r.anomalies) {
    add(a);
  }
  std::vector<std::string> order;
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    if (totals.count(info.id) != 0) {
      order.push_back(info.id);
    }
  }
  for (const auto& [kind, t] : totals) {
    if (!AnomalyKindFromId(kind)) {
      order.push_back(kind);
    }
  }
  std::string rows;
  for (const std::string& kind : order) {
    const KindTotals& t = totals[kind];
    const char* severity = SeverityName(t.severity);
    rows.append(Row({HtmlEscape(kind),
                     absl::StrCat("<span class=\"sev sev-", severity, "\">",
                                  severity, "</span>"),
                     absl::StrCat(t.records), absl::StrCat(t.occurrences)}));
  }
  return Table("anomaly-kinds", {"kind", "severity", "records", "occurrences"},
               rows);
}

std::string DecodeCountersTable(const AnalysisResult& r) {
  std::string rows;
  for (const auto& [name, value] :
       SortedDecodeCounters(r.summary.decode, false)) {
    rows.append(Row({HtmlEscape(name), absl::StrCat(value)}));
  }
  return Table("decode-counters", {"counter", "count"}, rows);
}

std::string SummarySection(const AnalysisResult& r) {
  std::string out = "<section id=\"summary\"><h2>Summary</h2>\n";
  if (!r.error.empty()) {
    absl::StrAppend(&out, "<p class=\"error\" id=\"input-error\">Input stopped: ",
                    HtmlEscape(r.error),
                    " (everything before the damage is reported)</p>\n");
  }
  absl::StrAppend(&out, CaptureFacts(r));
  if (r.live.has_value()) {
    absl::StrAppend(&out, "<h3>Live capture</h3>\n",
                    LiveCaptureFacts(*r.live));
  }
  absl::StrAppend(&out, "<h3>Inputs</h3>\n", InputsTable(r),
                  "<div class=\"cols\"><div><h3>Final states</h3>\n",
                  StatePairsTable(r), "</div><div><h3>Anomalies by kind</h3>\n",
                  AnomalyKindsTable(r),
                  "</div><div><h3>Decode counters</h3>\n",
                  DecodeCountersTable(r), "</div></div></section>\n");
  return out;
}

std::string TableSection() {
  return absl::StrCat(
      "<section id=\"connections\"><h2>Connections</h2>\n"
      "<div class=\"filters\">"
      "<label>state <select id=\"f-state\"><option value=\"\">any</option>"
      "</select></label> "
      "<label>anomaly <select id=\"f-anomaly\"><option value=\"\">any</option>"
      "<option value=\"*\">flagged</option><option value=\"-\">none</option>"
      "</select></label> "
      "<label>address <input id=\"f-addr\" type=\"search\" size=\"18\" "
      "placeholder=\"part of an address\"></label> "
      "<label>port <input id=\"f-port\" type=\"search\" size=\"6\"></label> "
      "<span id=\"match-count\"></span></div>\n"
      "<table class=\"conns\" id=\"conn-table\"><thead><tr></tr></thead>"
      "<tbody></tbody></table>\n"
      "<div class=\"pager\"><button id=\"page-prev\" type=\"button\">"
      "&#8592; previous</button> <span id=\"page-info\"></span> "
      "<button id=\"page-next\" type=\"button\">next &#8594;</button></div>\n"
      "<noscript><p>The connection table needs JavaScript; the summary, "
      "timeline, charts and diagrams do not.</p></noscript>\n</section>\n");
}

std::string TimelineSection(const AnalysisResult& r,
                            const HtmlOptions& options) {
  std::string note;
  if (r.connections.size() > options.timeline_bars) {
    note = absl::StrCat("<p class=\"note\">The first ", options.timeline_bars,
                        " of ", r.connections.size(),
                        " connections (by first packet).</p>\n");
  }
  std::string legend = "<p class=\"legend\">";
  for (int s = 0; s <= static_cast<int>(TcpState::kTimeWait); ++s) {
    const char* name = TcpStateName(static_cast<TcpState>(s));
    absl::StrAppend(&legend, "<span class=\"pill st-", name, "\">", name,
                    "</span> ");
  }
  legend.append("</p>\n");
  return absl::StrCat(
      "<section id=\"timeline\"><h2>Timeline</h2>\n<p>One bar per "
      "connection over capture time: the client's state in the upper half, "
      "the server's in the lower half.</p>\n",
      legend, note, "<div class=\"figure\">",
      html_internal::TimelineSvg(r, options.timeline_bars),
      "</div>\n</section>\n");
}

std::string ChartsSection(const AnalysisResult& r) {
  return absl::StrCat("<section id=\"charts\"><h2>Charts</h2>\n<div class=\"charts\">",
                      html_internal::DurationChartSvg(r),
                      html_internal::HandshakeRttChartSvg(r),
                      html_internal::AnomalyTimeChartSvg(r),
                      "</div>\n</section>\n");
}

std::string AnomalyList(const ConnectionRecord& c) {
  if (c.anomalies.empty()) {
    return "";
  }
  std::string rows;
  for (const Anomaly& a : c.anomalies) {
    const char* severity = SeverityName(a.severity);
    rows.append(Row({HtmlEscape(a.kind),
                     absl::StrCat("<span class=\"sev sev-", severity, "\">",
                                  severity, "</span>"),
                     HtmlEscape(a.endpoint), absl::StrJoin(a.packets, ", "),
                     HtmlEscape(a.detail)}));
  }
  return Table(absl::StrCat("anomalies-", c.id),
               {"anomaly", "severity", "endpoint", "packets", "detail"}, rows);
}

std::string EndpointState(absl::string_view who, const EndpointRecord& e) {
  const char* state = TcpStateName(e.state);
  std::string out =
      absl::StrCat(who, " <span class=\"pill st-", state, "\">", state,
                   "</span> (", CertaintyName(e.certainty));
  if (!e.possible_states.empty()) {
    absl::StrAppend(&out, "; or ", HtmlEscape(PossibleStateList(e)));
  }
  out.append(")");
  return out;
}

// Round trips of each side's data (from a segment to its ACK, Karn's rule).
std::string DataRtt(const ConnectionRecord& c) {
  std::vector<std::string> sides;
  for (const EndpointRecord* e : {&c.client, &c.server}) {
    const RttSummary& r = e->rtt;
    if (r.samples > 0) {
      sides.push_back(absl::StrCat(
          e == &c.client ? "client" : "server", "'s data ", r.samples,
          r.samples == 1 ? " sample" : " samples", ": min ",
          HumanDuration(r.min), ", avg ", HumanDuration(r.mean), ", max ",
          HumanDuration(r.max), ", stddev ", HumanDuration(r.stddev)));
    }
  }
  if (sides.empty()) {
    return "";
  }
  return absl::StrCat("<p class=\"rtt\">Round trips: ",
                      absl::StrJoin(sides, "; "), ".</p>\n");
}

std::string ConnectionArticle(const ConnectionRecord& c) {
  std::string out = absl::StrCat(
      "<article class=\"conn\" id=\"conn-", c.id, "\" data-conn=\"", c.id,
      "\"><h3>Connection ", c.id, ": ",
      HtmlEscape(FormatEndpoint(c.client.addr, c.client.port)),
      " \xe2\x86\x92 ",
      HtmlEscape(FormatEndpoint(c.server.addr, c.server.port)),
      "</h3>\n<p class=\"states\">", EndpointState("client", c.client), " \xc2\xb7 ",
      EndpointState("server", c.server), " \xc2\xb7 end: ",
      EndReasonName(c.end_reason), " \xc2\xb7 Zeek ", HtmlEscape(c.conn_state),
      " \xc2\xb7 packets ", c.first_packet, "\xe2\x80\x93", c.last_packet,
      " \xc2\xb7 duration ", FormatSeconds(c.last_seen - c.first_seen), " s");
  if (c.handshake_rtt) {
    absl::StrAppend(&out, " \xc2\xb7 handshake RTT ",
                    HumanDuration(*c.handshake_rtt));
  }
  out.append("</p>\n");
  out.append(DataRtt(c));
  if (!c.client.possible_states.empty() || !c.server.possible_states.empty()) {
    out.append("<ul class=\"possible\">");
    for (const EndpointRecord* e : {&c.client, &c.server}) {
      if (!e->possible_states.empty()) {
        const bool client = e == &c.client;
        absl::StrAppend(
            &out, "<li>",
            HtmlEscape(PossibleSentence(*e, client ? "client" : "server",
                                        client ? "server" : "client")),
            "</li>");
      }
    }
    out.append("</ul>\n");
  }
  if (!c.notes.empty()) {
    out.append("<ul class=\"notes\">");
    for (const std::string& note : c.notes) {
      absl::StrAppend(&out, "<li>", HtmlEscape(note), "</li>");
    }
    out.append("</ul>\n");
  }
  out.append(AnomalyList(c));
  if (!c.ladder) {
    out.append("<p class=\"note\">Segments were not recorded for this "
               "connection: only the state changes are drawn.</p>\n");
  } else if (!c.ladder->folds.empty()) {
    absl::StrAppend(&out, "<p class=\"note\">", c.ladder->segments.size(),
                    " of ", c.ladder->total,
                    " segments drawn: the opening, the closing and the "
                    "anomalous ones.</p>\n");
  }
  absl::StrAppend(&out, "<div class=\"figure\">", html_internal::LadderSvg(c),
                  "</div></article>\n");
  return out;
}

void WriteDiagrams(const AnalysisResult& r, const std::vector<bool>& selected,
                   const HtmlOptions& options, std::ostream& os) {
  size_t count = 0;
  size_t flagged_left_out = 0;
  for (size_t i = 0; i < selected.size(); ++i) {
    count += selected[i] ? 1 : 0;
    flagged_left_out += !selected[i] && !r.connections[i].anomalies.empty();
  }
  os << "<section id=\"diagrams\"><h2>Ladder diagrams</h2>\n<p>" << count
     << " of " << r.connections.size()
     << " connections: every flagged one (at most " << options.max_flagged
     << ") and the first " << options.diagrams << " others";
  if (flagged_left_out > 0) {
    os << "; <span class=\"error\" id=\"flagged-left-out\">"
       << flagged_left_out << " flagged connections have no diagram</span>";
  }
  os << ". Arrows carry the packet number, flags, relative "
        "sequence and acknowledgement numbers and payload length; anomalous "
        "segments are red, segments lost after the tap stop short with "
        "\xc3\x97.</p>\n";
  for (size_t i = 0; i < r.connections.size(); ++i) {
    if (selected[i]) {
      os << ConnectionArticle(r.connections[i]);
    }
  }
  os << "</section>\n";
}

std::string PageTitle(const AnalysisResult& r) {
  std::vector<std::string> names;
  for (const InputInfo& in : r.inputs) {
    names.push_back(in.name);
  }
  return HtmlEscape("tcpstate report: " + absl::StrJoin(names, ", "));
}

}  // namespace

std::vector<bool> DiagramSelection(
    const std::vector<ConnectionRecord>& connections, size_t others,
    size_t max_flagged) {
  std::vector<bool> selected(connections.size(), false);
  size_t flagged = 0;
  size_t taken = 0;
  for (size_t i = 0; i < connections.size(); ++i) {
    if (!connections[i].anomalies.empty()) {
      selected[i] = flagged < max_flagged;
      ++flagged;
    } else if (taken < others) {
      selected[i] = true;
      ++taken;
    }
  }
  return selected;
}

void WriteHtml(const AnalysisResult& result, const HtmlOptions& options,
               std::ostream& os) {
  const std::vector<bool> selected = DiagramSelection(
      result.connections, options.diagrams, options.max_flagged);
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width\">\n<title>"
     << PageTitle(result) << "</title>\n<style>\n"
     << html_internal::ReportCss() << "</style>\n</head>\n<body>\n"
     << "<pre id=\"js-errors\"></pre>\n<script>\n"
     << html_internal::ErrorTrapScript() << "</script>\n<header><h1>"
     << PageTitle(result)
     << "</h1>\n<nav><a href=\"#summary\">Summary</a> <a href=\"#hosts\">Hosts</a> "
        "<a href=\"#connections\">Connections</a> <a href=\"#timeline\">Timeline</a> "
        "<a href=\"#charts\">Charts</a> <a href=\"#diagrams\">Ladder "
        "diagrams</a></nav></header>\n<main>\n";
  os << SummarySection(result) << html_internal::HostsSection(result)
     << TableSection()
     << TimelineSection(result, options) << ChartsSection(result);
  // The table's data and script before the diagrams: at 100 k connections
  // the table works while the browser is still reading the ladders.
  os << "<script type=\"application/json\" id=\"conn-data\">"
     << html_internal::ConnectionsJson(result, selected) << "</script>\n<script>\n"
     << html_internal::ReportScript() << "</script>\n";
  WriteDiagrams(result, selected, options, os);
  os << "</main>\n</body>\n</html>\n";
}

std::string RenderHtml(const AnalysisResult& result,
                       const HtmlOptions& options) {
  std::ostringstream os;
  WriteHtml(result, options, os);
  return os.str();
}

}  // namespace tcpstate
