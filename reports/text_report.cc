#include "reports/text_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "analyzer/anomaly_catalogue.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/possible_text.h"
#include "reports/text_paint.h"

namespace tcpstate {
namespace {

using text_internal::AnomalyLine;
using text_internal::AppendAnomalies;
using text_internal::Painter;
using text_internal::SeverityColor;
using text_internal::kBold;
using text_internal::kDim;
using text_internal::kGreen;
using text_internal::kRed;
using text_internal::kYellow;

absl::string_view StateColor(TcpState s) {
  switch (s) {
    case TcpState::kEstablished:
      return kGreen;
    case TcpState::kClosed:
    case TcpState::kTimeWait:
      return "";
    case TcpState::kUnknown:
      return kDim;
    case TcpState::kListen:
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kCloseWait:
    case TcpState::kClosing:
    case TcpState::kLastAck:
      return kYellow;
  }
  return "";
}


std::string StateCell(const EndpointRecord& e) {
  const char* suffix = e.certainty == Certainty::kConfirmed  ? ""
                       : e.certainty == Certainty::kInferred ? "?"
                                                             : "??";
  return absl::StrCat(TcpStateName(e.state), suffix);
}

struct Cell {
  std::string text;  // terminal-safe, uncoloured
  absl::string_view sgr;
};

struct Column {
  absl::string_view header;
  bool right_align;
};

// Narrow headers, so that a row of IPv4 endpoints fits 120 columns; the
// legend below the table spells them out.
constexpr Column kColumns[] = {
    {"ID", true},     {"CLIENT", false},  {"", false},
    {"SERVER", false}, {"C STATE", false}, {"S STATE", false},
    {"DUR", true},    {"RTT C/S", true},  {"PKTS", true},
    {"BYTES", true},  {"CONN", false},    {"HISTORY", false},
    {"", false},
};
constexpr size_t kNumColumns = sizeof(kColumns) / sizeof(kColumns[0]);

std::vector<Cell> ConnectionCells(const ConnectionRecord& c) {
  return {
      {absl::StrCat(c.id), ""},
      {FormatEndpoint(c.client.addr, c.client.port), ""},
      {"→", ""},
      {FormatEndpoint(c.server.addr, c.server.port), ""},
      {StateCell(c.client), StateColor(c.client.state)},
      {StateCell(c.server), StateColor(c.server.state)},
      {HumanDuration(c.last_seen - c.first_seen), ""},
      {absl::StrCat(c.client.rtt.samples > 0 ? HumanDuration(c.client.rtt.mean)
                                               : "-",
                    "/",
                    c.server.rtt.samples > 0 ? HumanDuration(c.server.rtt.mean)
                                             : "-"),
       ""},
      {absl::StrCat(c.client.packets, "/", c.server.packets), ""},
      {absl::StrCat(c.client.payload_bytes, "/", c.server.payload_bytes), ""},
      {TerminalSafe(c.conn_state), ""},
      {TerminalSafe(c.history), ""},
      {c.mid_stream ? "(mid-stream)" : "", kDim},
  };
}

// Pads every cell to its column's width; trailing blanks are trimmed.
std::string FormatRow(const std::vector<Cell>& cells,
                      const std::vector<size_t>& widths, const Painter& paint) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    const size_t pad = widths[i] - DisplayWidth(cells[i].text);
    if (i > 0) {
      line.append("  ");
    }
    if (kColumns[i].right_align) {
      line.append(pad, ' ');
    }
    line.append(paint(cells[i].text, cells[i].sgr));
    if (!kColumns[i].right_align) {
      line.append(pad, ' ');
    }
  }
  line.erase(line.find_last_not_of(' ') + 1);
  line.push_back('\n');
  return line;
}

// The worst severity among a connection's anomalies, if any.
std::optional<Severity> WorstSeverity(const ConnectionRecord& c) {
  std::optional<Severity> worst;
  for (const Anomaly& a : c.anomalies) {
    worst = worst ? std::max(*worst, a.severity) : a.severity;
  }
  return worst;
}

// The connections the table shows, in its order: flagged ones first (the
// worst severity first, then by id), then the others by id.
std::vector<const ConnectionRecord*> TableOrder(
    const std::vector<ConnectionRecord>& connections) {
  std::vector<const ConnectionRecord*> order;
  order.reserve(connections.size());
  for (const ConnectionRecord& c : connections) {
    order.push_back(&c);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const ConnectionRecord* a, const ConnectionRecord* b) {
                     const int sa = WorstSeverity(*a)
                                        ? static_cast<int>(*WorstSeverity(*a))
                                        : -1;
                     const int sb = WorstSeverity(*b)
                                        ? static_cast<int>(*WorstSeverity(*b))
                                        : -1;
                     return sa > sb;
                   });
  return order;
}

// The lines below a row: the other states possible, notes, anomalies.
std::string RowDetails(const ConnectionRecord& c, const Painter& paint) {
  std::string out;
  for (const EndpointRecord* e : {&c.client, &c.server}) {
    if (!e->possible_states.empty()) {
      const bool client = e == &c.client;
      absl::StrAppend(&out, "    ",
                      PossibleSentence(*e, client ? "client" : "server",
                                       client ? "server" : "client"),
                      "\n");
    }
  }
  for (const std::string& note : c.notes) {
    absl::StrAppend(&out, "    ", TerminalSafe(note), "\n");
  }
  for (const Anomaly& a : c.anomalies) {
    absl::StrAppend(&out, "    ", AnomalyLine(a, paint), "\n");
  }
  return out;
}

void AppendConnections(const std::vector<ConnectionRecord>& connections,
                       const TextOptions& options, const Painter& paint,
                       std::string* out) {
  const std::vector<const ConnectionRecord*> order = TableOrder(connections);
  // The rows that fit: at most max_rows, and the lines within the budget
  // (a row with its details is never cut).
  std::vector<std::string> details;
  size_t lines = 1;
  for (const ConnectionRecord* c : order) {
    if (details.size() >= options.max_rows) {
      break;
    }
    std::string d = RowDetails(*c, paint);
    const size_t n = 1 + static_cast<size_t>(std::count(d.begin(), d.end(), '\n'));
    if (!details.empty() && lines + n > options.max_table_lines) {
      break;
    }
    lines += n;
    details.push_back(std::move(d));
  }
  std::vector<std::vector<Cell>> rows;
  std::vector<size_t> widths(kNumColumns, 0);
  std::vector<Cell> header;
  for (const Column& column : kColumns) {
    header.push_back({std::string(column.header), kBold});
  }
  rows.push_back(std::move(header));
  for (size_t r = 0; r < details.size(); ++r) {
    rows.push_back(ConnectionCells(*order[r]));
  }
  for (const std::vector<Cell>& row : rows) {
    for (size_t i = 0; i < kNumColumns; ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i].text));
    }
  }
  const size_t flagged = static_cast<size_t>(std::count_if(
      order.begin(), order.end(),
      [](const ConnectionRecord* c) { return !c->anomalies.empty(); }));
  absl::StrAppend(out, "\n", paint("Connections", kBold),
                  details.size() == order.size()
                      ? std::string()
                      : absl::StrCat(" (", details.size(), " of ",
                                     order.size(), ", flagged first)"),
                  "\n");
  out->append(FormatRow(rows[0], widths, paint));
  for (size_t r = 1; r < rows.size(); ++r) {
    out->append(FormatRow(rows[r], widths, paint));
    out->append(details[r - 1]);
  }
  if (details.size() < order.size()) {
    const size_t shown_flagged = std::min(flagged, details.size());
    absl::StrAppend(out, "  ... ", order.size() - details.size(),
                    " more connections (", flagged - shown_flagged,
                    " of them flagged): --rows all shows every one, as do "
                    "--format csv and json\n");
  }
  out->append(
      "C/S STATE: the client's and the server's final state; ? = inferred "
      "(the lines below\n"
      "a row name the other states possible), ?? = unknown. DUR: first to "
      "last packet; RTT C/S: the\n"
      "average round trip of the client's / the server's data (a segment "
      "to its ACK, none from\n"
      "data sent twice; the handshake's is in the summary). PKTS, BYTES: "
      "client to server /\n"
      "server to client. CONN, HISTORY: Zeek's.\n"
      "(mid-stream) = no handshake seen, roles inferred.\n");
}

std::string IsnLine(const HostIsn& isn, const Painter& paint) {
  std::string line = absl::StrCat(isn.samples, " ISN", isn.samples == 1 ? "" : "s");
  if (isn.same_tuple > 0) {
    absl::StrAppend(&line, " (+", isn.same_tuple, " on reused 4-tuples)");
  }
  if (!isn.enough) {
    return absl::StrCat(line, ": not enough samples");
  }
  absl::StrAppend(&line, ": ", isn.isn_class, ", ",
                  isn.predictable ? paint("PREDICTABLE", kRed)
                                  : std::string("unpredictable"),
                  "  GCD ", isn.gcd, " ISR ", isn.isr, " SP ", isn.sp, " (",
                  isn.difficulty, ")");
  if (isn.next_predicted) {
    absl::StrAppend(&line, "  next ", *isn.next_predicted);
  }
  return line;
}

constexpr size_t kMaxHostLines = 10;

// Hosts with a finding: their ISN analysis (and the IP ID class, timestamp
// clock) and host-level anomaly kinds, at most kMaxHostLines hosts; then
// one line for every other host that chose ISNs.
void AppendHosts(const AnalysisResult& result, const Painter& paint,
                 std::string* out) {
  const HostTally tally = TallyHosts(result.hosts, kMaxHostLines);
  const std::vector<const HostRecord*>& shown = tally.shown;
  if (shown.empty() && tally.others == 0) {
    return;
  }
  absl::StrAppend(out, "\n", paint("Hosts", kBold), "\n");
  for (const HostRecord* host : shown) {
    std::vector<std::string> kinds;
    for (const Anomaly& a : host->anomalies) {
      kinds.push_back(TerminalSafe(a.kind));
    }
    absl::StrAppend(out, "  ", host->addr.ToString(), "  ",
                    host->isn ? IsnLine(*host->isn, paint)
                              : absl::StrJoin(kinds, ", "),
                    "\n");
    if (!host->isn) {
      continue;
    }
    std::vector<std::string> extra;
    if (host->isn && !host->isn->ip_id_class.empty()) {
      extra.push_back(absl::StrCat("IP ID ", host->isn->ip_id_class));
    }
    if (host->isn && host->isn->ts_hz) {
      extra.push_back(
          absl::StrCat("TCP timestamp clock ", *host->isn->ts_hz, " Hz"));
    }
    extra.insert(extra.end(), kinds.begin(), kinds.end());
    if (!extra.empty()) {
      absl::StrAppend(out, "    ", absl::StrJoin(extra, ", "), "\n");
    }
  }
  if (tally.with_finding > shown.size()) {
    absl::StrAppend(out, "  ... ", tally.with_finding - shown.size(),
                    " more hosts with a finding: --format json lists them\n");
  }
  if (tally.others > 0) {
    std::vector<std::string> verdicts;
    for (const auto& [verdict, n] : tally.other_verdicts) {
      verdicts.push_back(absl::StrCat(n, " ", TerminalSafe(verdict)));
    }
    absl::StrAppend(out, "  ", shown.empty() ? "" : "other ",
                    tally.others == 1 ? "1 host"
                                      : absl::StrCat(tally.others, " hosts"),
                    ": ISNs not predictable (", absl::StrJoin(verdicts, ", "),
                    ")\n");
  }
}

void AppendField(absl::string_view name, absl::string_view value,
                 std::string* out) {
  absl::StrAppend(out, "  ", name, std::string(14 - name.size(), ' '), value,
                  "\n");
}

std::string CaptureSpan(const CaptureSummary& s) {
  if (!s.first_packet_time || !s.last_packet_time) {
    return "no packets";
  }
  return absl::StrCat(FormatUtc(*s.first_packet_time), " .. ",
                      FormatUtc(*s.last_packet_time), " (",
                      FormatSeconds(CaptureDuration(s)), "s)");
}

std::string InputLine(const InputInfo& in) {
  std::string line = absl::StrCat(
      TerminalSafe(in.name), ": ",
      in.link_type.empty() ? "not opened" : TerminalSafe(in.link_type), ", ",
      in.packets, " packets, ", in.bytes, " bytes");
  if (!in.error.empty()) {
    absl::StrAppend(&line, ", error: ", TerminalSafe(in.error));
  }
  return line;
}

// The handshakes' round trips and the data's, each over the connections
// that have one: min, median and max.
void AppendRoundTrips(const std::vector<ConnectionRecord>& connections,
                      std::string* out) {
  std::vector<absl::Duration> handshake;
  std::vector<absl::Duration> data;
  for (const ConnectionRecord& c : connections) {
    if (c.handshake_rtt) {
      handshake.push_back(*c.handshake_rtt);
    }
    for (const EndpointRecord* e : {&c.client, &c.server}) {
      if (e->rtt.samples > 0) {
        data.push_back(e->rtt.mean);
      }
    }
  }
  auto line = [](std::vector<absl::Duration>& v, absl::string_view what) {
    std::sort(v.begin(), v.end());
    return absl::StrCat(what, " min ", HumanDuration(v.front()), ", median ",
                        HumanDuration(v[v.size() / 2]), ", max ",
                        HumanDuration(v.back()), " (", v.size(), ")");
  };
  std::vector<std::string> parts;
  if (!handshake.empty()) {
    parts.push_back(line(handshake, "handshakes"));
  }
  if (!data.empty()) {
    parts.push_back(line(data, "data by direction"));
  }
  if (!parts.empty()) {
    AppendField("round trips", absl::StrJoin(parts, "; "), out);
  }
}

void AppendStateCounts(const ConnectionTally& tally, std::string* out) {
  const std::vector<ConnectionTally::StatePair> pairs = tally.StatePairs();
  if (!pairs.empty()) {
    AppendField("final states", "count  client / server", out);
    for (const ConnectionTally::StatePair& p : pairs) {
      const std::string count = absl::StrCat(p.count);
      absl::StrAppend(out, std::string(16, ' '),
                      std::string(count.size() < 5 ? 5 - count.size() : 0, ' '),
                      count, "  ", p.client, " / ", p.server, "\n");
    }
  }
  std::vector<std::string> states;
  for (const auto& [name, count] : tally.ConnStates()) {
    states.push_back(
        absl::StrCat(TerminalSafe(name.empty() ? "-" : name), " ", count));
  }
  if (!states.empty()) {
    AppendField("conn_state", absl::StrJoin(states, ", "), out);
  }
}

// Live capture only: the interface, how the capture ended, libpcap's counts.
void AppendLiveCapture(const LiveCaptureInfo& live, const Painter& paint,
                       std::string* out) {
  AppendField("live",
              absl::StrCat(TerminalSafe(live.interface), ", ",
                           FormatUtc(live.started), " to ",
                           FormatUtc(live.stopped), ", stopped by ",
                           live.stop_reason),
              out);
  AppendField("captured",
              absl::StrCat(live.received, " received, ",
                           live.dropped_by_kernel, " dropped by the kernel, ",
                           live.dropped_by_interface,
                           " dropped by the interface"),
              out);
  if (live.sockets > 1) {
    AppendField("sockets",
                absl::StrCat(live.sockets, " in a PACKET_FANOUT group, ",
                             live.wrong_shard,
                             " packets handed to another socket's worker"),
                out);
  }
  if (live.incomplete()) {
    AppendField("INCOMPLETE",
                paint("packets were dropped before tcpstate saw them: the "
                      "states of their connections may be wrong",
                      kRed),
                out);
  }
}

void AppendSummary(const AnalysisResult& result, const Painter& paint,
                   std::string* out) {
  const CaptureSummary& s = result.summary;
  absl::StrAppend(out, paint("Summary", kBold), "\n");
  AppendField("capture", CaptureSpan(s), out);
  uint64_t records = 0;  // read from the inputs, the filter's drops too
  for (const InputInfo& in : result.inputs) {
    records += in.packets;
  }
  AppendField("packets",
              records > s.packets
                  ? absl::StrCat(s.packets, " of ", records,
                                 " read matched the filter (", s.bytes,
                                 " bytes), ", s.tcp_packets, " TCP")
                  : absl::StrCat(s.packets, " read (", s.bytes, " bytes), ",
                                 s.tcp_packets, " TCP"),
              out);
  if (s.timestamps_backwards > 0) {
    AppendField("timestamps",
                absl::StrCat(s.timestamps_backwards, " went backwards"), out);
  }
  AppendField("connections",
              absl::StrCat(s.connections, " (", s.connections_finished,
                           " finished, ", s.connections_evicted,
                           " evicted, ", s.connections_open_at_end,
                           " open at the end)"),
              out);
  AppendStateCounts(ConnectionTally::Of(result.connections), out);
  AppendRoundTrips(result.connections, out);
  std::vector<std::string> counters;
  for (const auto& [name, value] : SortedDecodeCounters(s.decode, false)) {
    counters.push_back(absl::StrCat(name, " ", value));
  }
  AppendField("decode",
              counters.empty() ? "no problems" : absl::StrJoin(counters, ", "),
              out);
  for (const InputInfo& in : result.inputs) {
    AppendField("input", InputLine(in), out);
  }
  if (result.live) {
    AppendLiveCapture(*result.live, paint, out);
  }
  if (!result.error.empty()) {
    AppendField("error", paint(TerminalSafe(result.error), kRed), out);
  }
}

}  // namespace

std::string RenderText(const AnalysisResult& result,
                       const TextOptions& options) {
  const Painter paint(options.color);
  std::string out;
  AppendSummary(result, paint, &out);
  AppendAnomalies(result, paint, &out);
  if (options.summary_only) {
    return out;
  }
  if (result.connections.empty()) {
    out.append("\nNo TCP connections.\n");
  } else {
    AppendConnections(result.connections, options, paint, &out);
  }
  AppendHosts(result, paint, &out);
  return out;
}

}  // namespace tcpstate
