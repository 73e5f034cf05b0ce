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
#include "absl/strings/str_join.h"
#include "analyzer/anomaly_catalogue.h"
#include "reports/escape.h"
#include "reports/format.h"

namespace tcpstate {
namespace {

constexpr absl::string_view kBold = "1";
constexpr absl::string_view kDim = "2";
constexpr absl::string_view kRed = "31";
constexpr absl::string_view kGreen = "32";
constexpr absl::string_view kYellow = "33";
constexpr absl::string_view kCyan = "36";

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string operator()(absl::string_view text, absl::string_view sgr) const {
    if (!color_ || sgr.empty() || text.empty()) {
      return std::string(text);
    }
    return absl::StrCat("\x1b[", sgr, "m", text, "\x1b[0m");
  }

 private:
  bool color_;
};

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

absl::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::kError:
      return kRed;
    case Severity::kWarning:
      return kYellow;
    case Severity::kInfo:
      return kCyan;
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

constexpr Column kColumns[] = {
    {"ID", true},       {"CLIENT", false},       {"", false},
    {"SERVER", false},  {"CLIENT STATE", false}, {"SERVER STATE", false},
    {"DURATION", true}, {"HS RTT", true},        {"PKTS C>S/S>C", true},
    {"BYTES C>S/S>C", true},
    {"CONN", false},    {"HISTORY", false},      {"", false},
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
      {absl::StrCat(FormatSeconds(c.last_seen - c.first_seen), "s"), ""},
      {c.handshake_rtt ? absl::StrCat(FormatSeconds(*c.handshake_rtt), "s")
                       : "-",
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

std::string AnomalyLine(const Anomaly& a, const Painter& paint) {
  std::vector<std::string> facts;
  if (!a.endpoint.empty()) {
    facts.push_back(TerminalSafe(a.endpoint));
  }
  if (a.count > 1) {
    facts.push_back(absl::StrCat(a.count, "×"));
  }
  if (!a.packets.empty()) {
    facts.push_back(absl::StrCat(a.packets.size() == 1 ? "pkt " : "pkts ",
                                 absl::StrJoin(a.packets, ",")));
  }
  if (a.duration > absl::ZeroDuration()) {
    facts.push_back(absl::StrCat("over ", FormatSeconds(a.duration), "s"));
  }
  std::string line =
      absl::StrCat(paint(absl::StrCat("! ", SeverityName(a.severity)),
                         SeverityColor(a.severity)),
                   " ", TerminalSafe(a.kind));
  if (!facts.empty()) {
    absl::StrAppend(&line, " (", absl::StrJoin(facts, "; "), ")");
  }
  if (!a.detail.empty()) {
    absl::StrAppend(&line, ": ", TerminalSafe(a.detail));
  }
  return line;
}

void AppendConnections(const std::vector<ConnectionRecord>& connections,
                       const Painter& paint, std::string* out) {
  std::vector<std::vector<Cell>> rows;
  std::vector<size_t> widths(kNumColumns, 0);
  std::vector<Cell> header;
  for (const Column& column : kColumns) {
    header.push_back({std::string(column.header), kBold});
  }
  rows.push_back(std::move(header));
  for (const ConnectionRecord& c : connections) {
    rows.push_back(ConnectionCells(c));
  }
  for (const std::vector<Cell>& row : rows) {
    for (size_t i = 0; i < kNumColumns; ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i].text));
    }
  }
  out->append(FormatRow(rows[0], widths, paint));
  for (size_t r = 1; r < rows.size(); ++r) {
    out->append(FormatRow(rows[r], widths, paint));
    const ConnectionRecord& c = connections[r - 1];
    for (const std::string& note : c.notes) {
      absl::StrAppend(out, "    ", TerminalSafe(note), "\n");
    }
    for (const Anomaly& a : c.anomalies) {
      absl::StrAppend(out, "    ", AnomalyLine(a, paint), "\n");
    }
  }
  out->append(
      "\n? = state inferred, ?? = state unknown; (mid-stream) = no handshake "
      "seen, roles inferred\n");
}

// One anomaly record with where it came from.
struct AnomalyEntry {
  const Anomaly* anomaly = nullptr;
  const ConnectionRecord* connection = nullptr;  // null: host level
  size_t order = 0;  // position in the result, the last tie-break
};

// All the records of one kind.
struct AnomalyGroup {
  std::string kind;
  size_t rank = 0;  // catalogue position; unknown kinds after, by name
  Severity severity = Severity::kInfo;
  std::vector<AnomalyEntry> entries;
};

bool SameAnomaly(const Anomaly& a, const Anomaly& b) {
  return a.kind == b.kind && a.endpoint == b.endpoint &&
         a.first_packet == b.first_packet && a.t == b.t;
}

// Every anomaly in the result: per connection, then the host-level list,
// then any host record's anomaly not already in that list.
std::vector<AnomalyEntry> CollectAnomalies(const AnalysisResult& result) {
  std::vector<AnomalyEntry> entries;
  for (const ConnectionRecord& c : result.connections) {
    for (const Anomaly& a : c.anomalies) {
      entries.push_back({&a, &c, entries.size()});
    }
  }
  for (const Anomaly& a : result.anomalies) {
    entries.push_back({&a, nullptr, entries.size()});
  }
  for (const HostRecord& host : result.hosts) {
    for (const Anomaly& a : host.anomalies) {
      const bool listed =
          std::any_of(result.anomalies.begin(), result.anomalies.end(),
                      [&](const Anomaly& b) { return SameAnomaly(a, b); });
      if (!listed) {
        entries.push_back({&a, nullptr, entries.size()});
      }
    }
  }
  return entries;
}

// Groups by kind, in catalogue order; each group's entries worst first:
// highest count, then longest duration, then lowest connection id.
std::vector<AnomalyGroup> GroupAnomalies(std::vector<AnomalyEntry> entries) {
  std::map<std::pair<size_t, std::string>, AnomalyGroup> by_kind;
  for (const AnomalyEntry& e : entries) {
    const std::optional<AnomalyKind> kind = AnomalyKindFromId(e.anomaly->kind);
    const size_t rank = kind ? static_cast<size_t>(*kind) : kNumAnomalyKinds;
    AnomalyGroup& g = by_kind[{rank, e.anomaly->kind}];
    if (g.entries.empty()) {
      g.kind = e.anomaly->kind;
      g.rank = rank;
      g.severity = kind ? InfoOf(*kind).severity : e.anomaly->severity;
    }
    g.severity = std::max(g.severity, e.anomaly->severity);
    g.entries.push_back(e);
  }
  std::vector<AnomalyGroup> groups;
  for (auto& [key, g] : by_kind) {
    std::sort(g.entries.begin(), g.entries.end(),
              [](const AnomalyEntry& x, const AnomalyEntry& y) {
                const Anomaly& a = *x.anomaly;
                const Anomaly& b = *y.anomaly;
                const uint64_t xid = x.connection ? x.connection->id : 0;
                const uint64_t yid = y.connection ? y.connection->id : 0;
                return std::make_tuple(b.count, b.duration, xid, a.endpoint,
                                       x.order) <
                       std::make_tuple(a.count, a.duration, yid, b.endpoint,
                                       y.order);
              });
    groups.push_back(std::move(g));
  }
  return groups;
}

std::string Plural(size_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// "count 5, 3 connections" / "count 120, 1 host".
std::string GroupTotals(const AnomalyGroup& g) {
  uint64_t total = 0;
  std::set<uint64_t> connections;
  std::set<std::string> hosts;
  for (const AnomalyEntry& e : g.entries) {
    total += e.anomaly->count;
    if (e.connection != nullptr) {
      connections.insert(e.connection->id);
    } else {
      hosts.insert(e.anomaly->endpoint);
    }
  }
  std::vector<std::string> affected;
  if (!connections.empty()) {
    affected.push_back(Plural(connections.size(), "connection"));
  }
  if (!hosts.empty()) {
    affected.push_back(Plural(hosts.size(), "host"));
  }
  return absl::StrCat("count ", total, ", ", absl::StrJoin(affected, ", "));
}

// "server 198.18.0.2:8000  (conn 3)" or "host 198.18.0.9".
std::string Where(const AnomalyEntry& e) {
  const Anomaly& a = *e.anomaly;
  if (e.connection == nullptr) {
    return absl::StrCat("host ", TerminalSafe(a.endpoint));
  }
  const ConnectionRecord& c = *e.connection;
  std::string who =
      TerminalSafe(a.endpoint.empty() ? "connection" : a.endpoint);
  if (a.endpoint == "client") {
    absl::StrAppend(&who, " ", FormatEndpoint(c.client.addr, c.client.port));
  } else if (a.endpoint == "server") {
    absl::StrAppend(&who, " ", FormatEndpoint(c.server.addr, c.server.port));
  }
  return absl::StrCat(who, "  (conn ", c.id, ")");
}

constexpr size_t kWorstExamples = 3;

void AppendGroup(const AnomalyGroup& g, const Painter& paint,
                 std::string* out) {
  const std::string kind = TerminalSafe(g.kind);
  const std::string severity =
      paint(SeverityName(g.severity), SeverityColor(g.severity));
  absl::StrAppend(out, "  ", paint(kind, kBold), "  ", severity, "  ",
                  GroupTotals(g), "\n");
  const size_t shown = std::min(g.entries.size(), kWorstExamples);
  for (size_t i = 0; i < shown; ++i) {
    const AnomalyEntry& e = g.entries[i];
    absl::StrAppend(out, "    ", kind, "  ",
                    paint(SeverityName(e.anomaly->severity),
                          SeverityColor(e.anomaly->severity)),
                    "  ", Where(e));
    if (e.anomaly->count > 1) {
      absl::StrAppend(out, "  ", e.anomaly->count, "×");
    }
    out->push_back('\n');
    if (!e.anomaly->detail.empty()) {
      absl::StrAppend(out, "      ", TerminalSafe(e.anomaly->detail), "\n");
    }
  }
  if (g.entries.size() > shown) {
    absl::StrAppend(out, "    and ", g.entries.size() - shown, " more\n");
  }
}

// Anomalies grouped by kind, each with its totals and worst examples.
void AppendAnomalies(const AnalysisResult& result, const Painter& paint,
                     std::string* out) {
  const std::vector<AnomalyGroup> groups =
      GroupAnomalies(CollectAnomalies(result));
  if (groups.empty() && result.connections.empty()) {
    return;
  }
  absl::StrAppend(out, "\n", paint("Anomalies", kBold), "\n");
  if (groups.empty()) {
    out->append("  none\n");
  }
  for (const AnomalyGroup& g : groups) {
    AppendGroup(g, paint, out);
  }
}

// "20 ISNs (3 same 4-tuple): fixed_increment, predictable, GCD 64000 ..."
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

// Per-host ISN predictability (and the IP ID class, timestamp clock).
void AppendHosts(const AnalysisResult& result, const Painter& paint,
                 std::string* out) {
  bool any = false;
  for (const HostRecord& host : result.hosts) {
    if (!host.isn) {
      continue;
    }
    if (!any) {
      absl::StrAppend(out, "\n", paint("Hosts (ISN analysis)", kBold), "\n");
      any = true;
    }
    const HostIsn& isn = *host.isn;
    absl::StrAppend(out, "  ", host.addr.ToString(), "  ",
                    IsnLine(isn, paint), "\n");
    std::vector<std::string> extra;
    if (!isn.ip_id_class.empty()) {
      extra.push_back(absl::StrCat("IP ID ", isn.ip_id_class));
    }
    if (isn.ts_hz) {
      extra.push_back(absl::StrCat("TCP timestamp clock ", *isn.ts_hz, " Hz"));
    }
    if (!extra.empty()) {
      absl::StrAppend(out, "    ", absl::StrJoin(extra, ", "), "\n");
    }
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
  absl::StrAppend(out, "\n", paint("Summary", kBold), "\n");
  AppendField("capture", CaptureSpan(s), out);
  AppendField("packets",
              absl::StrCat(s.packets, " read (", s.bytes, " bytes), ",
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
  if (result.connections.empty()) {
    out.append("No TCP connections.\n");
  } else {
    AppendConnections(result.connections, paint, &out);
  }
  AppendAnomalies(result, paint, &out);
  AppendHosts(result, paint, &out);
  AppendSummary(result, paint, &out);
  return out;
}

}  // namespace tcpstate
