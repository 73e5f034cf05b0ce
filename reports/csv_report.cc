#include "reports/csv_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/tcp_state.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/possible_text.h"

namespace tcpstate {
namespace {

constexpr absl::string_view kColumns[] = {
    "id",
    "first_seen",
    "last_seen",
    "duration",
    "client_addr",
    "client_port",
    "client_state",
    "client_certainty",
    "server_addr",
    "server_port",
    "server_state",
    "server_certainty",
    "conn_state",
    "history",
    "client_bytes",
    "server_bytes",
    "client_packets",
    "server_packets",
    "handshake_rtt",
    "end_reason",
    "anomalies",
    "client_possible_states",
    "server_possible_states",
    "client_rtt_samples",
    "client_rtt_min",
    "client_rtt_avg",
    "client_rtt_max",
    "client_rtt_stddev",
    "server_rtt_samples",
    "server_rtt_min",
    "server_rtt_avg",
    "server_rtt_max",
    "server_rtt_stddev",
};

std::string Quote(absl::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(cell);
  }
  std::string out = "\"";
  for (char ch : cell) {
    if (ch == '"') {
      out.push_back('"');
    }
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

// Each kind once, in the order of the connection's anomaly records.
std::string AnomalyKinds(const std::vector<Anomaly>& anomalies) {
  std::vector<absl::string_view> kinds;
  for (const Anomaly& a : anomalies) {
    bool seen = false;
    for (absl::string_view k : kinds) {
      seen = seen || k == a.kind;
    }
    if (!seen) {
      kinds.push_back(a.kind);
    }
  }
  return absl::StrJoin(kinds, ";");
}

}  // namespace

std::string CsvTextCell(absl::string_view text) {
  std::string cell = SanitizeUtf8(text);
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' ||
                        cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(cell.begin(), '\'');
  }
  return Quote(cell);
}

std::string CsvNumberCell(absl::string_view number) { return Quote(number); }

std::string CsvHeader() {
  return absl::StrCat(absl::StrJoin(kColumns, ","), "\r\n");
}

std::string CsvRow(const ConnectionRecord& c) {
  std::vector<std::string> cells = {
      CsvNumberCell(absl::StrCat(c.id)),
      CsvNumberCell(FormatEpochSeconds(c.first_seen)),
      CsvNumberCell(FormatEpochSeconds(c.last_seen)),
      CsvNumberCell(FormatSeconds(c.last_seen - c.first_seen)),
      CsvTextCell(c.client.addr.ToString()),
      CsvNumberCell(absl::StrCat(c.client.port)),
      CsvTextCell(TcpStateName(c.client.state)),
      CsvTextCell(CertaintyName(c.client.certainty)),
      CsvTextCell(c.server.addr.ToString()),
      CsvNumberCell(absl::StrCat(c.server.port)),
      CsvTextCell(TcpStateName(c.server.state)),
      CsvTextCell(CertaintyName(c.server.certainty)),
      CsvTextCell(c.conn_state),
      CsvTextCell(c.history),
      CsvNumberCell(absl::StrCat(c.client.payload_bytes)),
      CsvNumberCell(absl::StrCat(c.server.payload_bytes)),
      CsvNumberCell(absl::StrCat(c.client.packets)),
      CsvNumberCell(absl::StrCat(c.server.packets)),
      CsvNumberCell(c.handshake_rtt ? FormatSeconds(*c.handshake_rtt) : ""),
      CsvTextCell(EndReasonName(c.end_reason)),
      CsvTextCell(AnomalyKinds(c.anomalies)),
      CsvTextCell(PossibleStateList(c.client)),
      CsvTextCell(PossibleStateList(c.server)),
  };
  for (const EndpointRecord* e : {&c.client, &c.server}) {
    const RttSummary& r = e->rtt;
    cells.push_back(CsvNumberCell(absl::StrCat(r.samples)));
    for (const absl::Duration d : {r.min, r.mean, r.max, r.stddev}) {
      cells.push_back(CsvNumberCell(r.samples > 0 ? PreciseSeconds(d) : ""));
    }
  }
  return absl::StrCat(absl::StrJoin(cells, ","), "\r\n");
}

void WriteCsv(const AnalysisResult& result, std::ostream& os) {
  os << CsvHeader();
  for (const ConnectionRecord& c : result.connections) {
    os << CsvRow(c);
  }
}

}  // namespace tcpstate
