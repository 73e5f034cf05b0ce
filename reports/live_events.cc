#include "reports/live_events.h"

#include "reports/format.h"
#include "reports/json_report.h"
#include "reports/json_writer.h"

namespace tcpstate {
namespace {

// "type", "time" and the connection's identity and current states.
void WriteHead(const char* type, absl::Time time, const ConnectionRef& c,
               JsonWriter* w) {
  w->Key("type");
  w->String(type);
  w->Key("time");
  w->RawNumber(FormatEpochSeconds(time));
  w->Key("connection");
  w->Uint(c.id);
  w->Key("client");
  w->String(FormatEndpoint(c.client_addr, c.client_port));
  w->Key("server");
  w->String(FormatEndpoint(c.server_addr, c.server_port));
  w->Key("client_state");
  w->String(TcpStateName(c.client_state));
  w->Key("server_state");
  w->String(TcpStateName(c.server_state));
}

}  // namespace

std::string RenderJsonlStateEvent(const StateChangeEvent& event) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  WriteHead("state", event.t, event.connection, &w);
  w.Key("endpoint");
  w.String(event.client ? "client" : "server");
  w.Key("from");
  w.String(TcpStateName(event.from));
  w.Key("to");
  w.String(TcpStateName(event.to));
  w.Key("packet");
  if (event.packet != 0) {
    w.Uint(event.packet);
  } else {
    w.Null();
  }
  w.EndObject();
  out.push_back('\n');
  return out;
}

std::string RenderJsonlAnomalyEvent(const AnomalyEvent& event) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  WriteHead("anomaly", event.t, event.connection, &w);
  WriteAnomalyMembers(event.anomaly, &w);
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace tcpstate
