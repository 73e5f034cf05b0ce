// The connection table's data island of the HTML report: the rows as JSON,
// paged, sorted and filtered by the page's script.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"
#include "reports/json_writer.h"

namespace tcpstate {
namespace html_internal {
namespace {

// Column names, in row order; the script looks them up by name.
constexpr const char* kColumns[] = {
    "id",          "client_addr", "client_port", "server_addr",
    "server_port", "client_state", "server_state", "conn_state",
    "start",       "duration",    "packets",     "bytes",
    "anomalies",   "diagram"};

void WriteRow(const ConnectionRecord& c, absl::Time capture_start,
              bool diagram, JsonWriter* w) {
  w->BeginArray();
  w->Uint(c.id);
  w->String(c.client.addr.ToString());
  w->Uint(c.client.port);
  w->String(c.server.addr.ToString());
  w->Uint(c.server.port);
  w->String(TcpStateName(c.client.state));
  w->String(TcpStateName(c.server.state));
  w->String(c.conn_state);
  w->RawNumber(FormatSeconds(c.first_seen - capture_start));
  w->RawNumber(FormatSeconds(c.last_seen - c.first_seen));
  w->Uint(c.client.packets + c.server.packets);
  w->Uint(c.client.payload_bytes + c.server.payload_bytes);
  w->BeginArray();
  for (const Anomaly& a : c.anomalies) {
    w->String(a.kind);
  }
  w->EndArray();
  w->Uint(diagram ? 1 : 0);
  w->EndArray();
}

}  // namespace

std::string ConnectionsJson(const AnalysisResult& result,
                            const std::vector<bool>& with_diagram) {
  std::string out = "{\"columns\":";
  {
    JsonWriter w(&out);
    w.BeginArray();
    for (const char* column : kColumns) {
      w.String(column);
    }
    w.EndArray();
  }
  out.append(",\"rows\":[");
  const absl::Time start =
      result.summary.first_packet_time.value_or(absl::UnixEpoch());
  for (size_t i = 0; i < result.connections.size(); ++i) {
    out.append(i == 0 ? "\n" : ",\n");
    JsonWriter w(&out);
    WriteRow(result.connections[i], start,
             i < with_diagram.size() && with_diagram[i], &w);
  }
  out.append("\n]}");
  return JsonForScriptElement(out);
}

}  // namespace html_internal
}  // namespace tcpstate
