// The connection table's data island of the HTML report: the rows as JSON,
// paged, sorted and filtered by the page's script.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_parts.h"
#include "reports/json_writer.h"

namespace tcpstate {
namespace html_internal {
namespace {

// Column names, in row order; the script looks them up by name. The
// string columns (addresses, states, conn_state, anomaly kinds and
// endpoints) hold indexes into "strings", so that 100 k rows stay small;
// start and duration are whole microseconds.
constexpr const char* kColumns[] = {
    "id",          "client_addr", "client_port", "server_addr",
    "server_port", "client_state", "server_state", "conn_state",
    "start_us",    "duration_us", "packets",     "bytes",
    "anomalies",   "diagram"};

// Strings numbered in order of first use (deterministic).
class StringTable {
 public:
  uint64_t Index(const std::string& s) {
    auto [it, added] = index_.try_emplace(s, strings_.size());
    if (added) {
      strings_.push_back(s);
    }
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  absl::flat_hash_map<std::string, uint64_t> index_;
  std::vector<std::string> strings_;
};

void WriteRow(const ConnectionRecord& c, absl::Time capture_start,
              bool diagram, StringTable* strings, JsonWriter* w) {
  w->BeginArray();
  w->Uint(c.id);
  w->Uint(strings->Index(c.client.addr.ToString()));
  w->Uint(c.client.port);
  w->Uint(strings->Index(c.server.addr.ToString()));
  w->Uint(c.server.port);
  w->Uint(strings->Index(TcpStateName(c.client.state)));
  w->Uint(strings->Index(TcpStateName(c.server.state)));
  w->Uint(strings->Index(c.conn_state));
  w->Int(absl::ToInt64Microseconds(c.first_seen - capture_start));
  w->Int(absl::ToInt64Microseconds(c.last_seen - c.first_seen));
  w->Uint(c.client.packets + c.server.packets);
  w->Uint(c.client.payload_bytes + c.server.payload_bytes);
  w->BeginArray();  // kind, endpoint, kind, endpoint, ...
  for (const Anomaly& a : c.anomalies) {
    w->Uint(strings->Index(a.kind));
    w->Uint(strings->Index(a.endpoint));
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
  StringTable strings;
  for (size_t i = 0; i < result.connections.size(); ++i) {
    out.append(i == 0 ? "\n" : ",\n");
    JsonWriter w(&out);
    WriteRow(result.connections[i], start,
             i < with_diagram.size() && with_diagram[i], &strings, &w);
  }
  out.append("\n],\"strings\":");
  {
    JsonWriter w(&out);
    w.BeginArray();
    for (const std::string& s : strings.strings()) {
      w.String(s);
    }
    w.EndArray();
  }
  out.append("}");
  return JsonForScriptElement(out);
}

}  // namespace html_internal
}  // namespace tcpstate
