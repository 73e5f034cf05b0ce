#include "reports/json_report.h"

#include <functional>
#include <optional>
#include <ostream>
#include <sstream>
#include <utility>
#include <vector>

#include "analyzer/anomaly.h"
#include "analyzer/tcp_state.h"
#include "reports/possible_text.h"


namespace tcpstate {
namespace {

void StringOrNull(absl::string_view s, JsonWriter* w) {
  if (s.empty()) {
    w->Null();
  } else {
    w->String(s);
  }
}

}  // namespace

void WriteAnomalyMembers(const Anomaly& a, JsonWriter* w) {
  w->Key("kind");
  w->String(a.kind);
  w->Key("severity");
  w->String(SeverityName(a.severity));
  w->Key("endpoint");
  w->String(a.endpoint);
  w->Key("first_packet");
  w->Uint(a.first_packet);
  w->Key("last_packet");
  w->Uint(a.last_packet);
  w->Key("t");
  w->EpochSeconds(a.t);
  w->Key("duration");
  w->Seconds(a.duration);
  w->Key("count");
  w->Uint(a.count);
  w->Key("packets");
  w->BeginArray();
  for (uint64_t p : a.packets) {
    w->Uint(p);
  }
  w->EndArray();
  w->Key("detail");
  w->String(a.detail);
}

namespace {

void WriteAnomaly(const Anomaly& a, JsonWriter* w) {
  w->BeginObject();
  WriteAnomalyMembers(a, w);
  w->EndObject();
}

void WriteAnomalies(const std::vector<Anomaly>& anomalies, JsonWriter* w) {
  w->BeginArray();
  for (const Anomaly& a : anomalies) {
    WriteAnomaly(a, w);
  }
  w->EndArray();
}

void WriteOptions(const NegotiatedOptions& o, JsonWriter* w) {
  w->BeginObject();
  w->Key("mss");
  if (o.mss) {
    w->Uint(*o.mss);
  } else {
    w->Null();
  }
  w->Key("window_scale");
  if (o.window_scale) {
    w->Uint(*o.window_scale);
  } else {
    w->Null();
  }
  w->Key("sack_permitted");
  w->Bool(o.sack_permitted);
  w->Key("timestamps");
  w->Bool(o.timestamps);
  w->Key("tfo");
  w->Bool(o.tfo);
  w->EndObject();
}

void WriteTimeline(const std::vector<StateChange>& timeline, JsonWriter* w) {
  w->BeginArray();
  for (const StateChange& change : timeline) {
    w->BeginObject();
    w->Key("t");
    w->EpochSeconds(change.t);
    w->Key("packet");
    w->Uint(change.packet);
    w->Key("state");
    w->String(TcpStateName(change.state));
    w->EndObject();
  }
  w->EndArray();
}

void WritePossibleStates(const EndpointRecord& e, const char* peer,
                         JsonWriter* w) {
  w->BeginArray();
  for (const PossibleState& p : e.possible_states) {
    w->BeginObject();
    w->Key("state");
    w->String(TcpStateName(p.state));
    w->Key("reasons");
    w->BeginArray();
    for (PossibleReason r : p.reasons) {
      w->String(PossibleReasonId(r));
    }
    w->EndArray();
    w->Key("why");
    w->String(PossibleWhy(p, peer));
    w->EndObject();
  }
  w->EndArray();
}

// Round trips of the endpoint's data, in seconds to the nanosecond; null
// when none was measured.
void WriteRtt(const RttSummary& rtt, JsonWriter* w) {
  if (rtt.samples == 0) {
    w->Null();
    return;
  }
  w->BeginObject();
  w->Key("samples");
  w->Uint(rtt.samples);
  const std::pair<const char*, absl::Duration> values[] = {
      {"min", rtt.min}, {"avg", rtt.mean}, {"max", rtt.max},
      {"stddev", rtt.stddev}};
  for (const auto& [name, d] : values) {
    w->Key(name);
    w->RawNumber(PreciseSeconds(d));
  }
  w->EndObject();
}

void WriteEndpoint(const EndpointRecord& e, const char* peer, JsonWriter* w) {
  w->BeginObject();
  w->Key("addr");
  char addr[kAddressChars];
  w->String(absl::string_view(addr, static_cast<size_t>(
                                        WriteAddress(e.addr, addr) - addr)));
  w->Key("port");
  w->Uint(e.port);
  w->Key("state");
  w->String(TcpStateName(e.state));
  w->Key("certainty");
  w->String(CertaintyName(e.certainty));
  w->Key("possible_states");
  WritePossibleStates(e, peer, w);
  w->Key("isn");
  if (e.isn) {
    w->Uint(*e.isn);
  } else {
    w->Null();
  }
  w->Key("packets");
  w->Uint(e.packets);
  w->Key("bytes");
  w->Uint(e.payload_bytes);
  w->Key("missed_bytes");
  w->Uint(e.missed_bytes);
  w->Key("ip_bytes");
  w->Uint(e.ip_bytes);
  w->Key("syns");
  w->Uint(e.syns);
  w->Key("fins");
  w->Uint(e.fins);
  w->Key("rsts");
  w->Uint(e.rsts);
  w->Key("options");
  WriteOptions(e.options, w);
  w->Key("rtt");
  WriteRtt(e.rtt, w);
  w->Key("timeline");
  WriteTimeline(e.timeline, w);
  w->EndObject();
}

void WriteInputs(const std::vector<InputInfo>& inputs, JsonWriter* w) {
  w->BeginArray();
  for (const InputInfo& in : inputs) {
    w->BeginObject();
    w->Key("name");
    w->String(in.name);
    w->Key("link_type");
    StringOrNull(in.link_type, w);
    w->Key("packets");
    w->Uint(in.packets);
    w->Key("bytes");
    w->Uint(in.bytes);
    w->Key("error");
    StringOrNull(in.error, w);
    w->EndObject();
  }
  w->EndArray();
}

void WriteOptionalTime(const std::optional<absl::Time>& t, JsonWriter* w) {
  if (t) {
    w->EpochSeconds(*t);
  } else {
    w->Null();
  }
}

void WriteStateCounts(const ConnectionTally& tally, JsonWriter* w) {
  w->Key("state_pairs");
  w->BeginArray();
  for (const ConnectionTally::StatePair& pair : tally.StatePairs()) {
    w->BeginObject();
    w->Key("client");
    w->String(pair.client);
    w->Key("server");
    w->String(pair.server);
    w->Key("count");
    w->Uint(pair.count);
    w->EndObject();
  }
  w->EndArray();
  w->Key("conn_states");
  w->BeginObject();
  for (const auto& [name, count] : tally.ConnStates()) {
    w->Key(name);
    w->Uint(count);
  }
  w->EndObject();
}

// summary.live_capture: present only for a live capture.
void WriteLiveCapture(const LiveCaptureInfo& live, JsonWriter* w) {
  w->BeginObject();
  w->Key("interface");
  w->String(live.interface);
  w->Key("started");
  w->EpochSeconds(live.started);
  w->Key("stopped");
  w->EpochSeconds(live.stopped);
  w->Key("stop_reason");
  w->String(live.stop_reason);
  w->Key("packets_received");
  w->Uint(live.received);
  w->Key("packets_dropped_by_kernel");
  w->Uint(live.dropped_by_kernel);
  w->Key("packets_dropped_by_interface");
  w->Uint(live.dropped_by_interface);
  w->Key("sockets");
  w->Uint(live.sockets);
  w->Key("packets_wrong_shard");
  w->Uint(live.wrong_shard);
  w->Key("complete");
  w->Bool(!live.incomplete());
  w->EndObject();
}

void WriteSummary(const CaptureSummary& s, const ConnectionTally& tally,
                  const std::optional<LiveCaptureInfo>& live, JsonWriter* w) {
  w->BeginObject();
  const std::pair<const char*, uint64_t> counts[] = {
      {"packets", s.packets},
      {"bytes", s.bytes},
      {"tcp_packets", s.tcp_packets},
      {"connections", s.connections},
      {"connections_finished", s.connections_finished},
      {"connections_evicted", s.connections_evicted},
      {"connections_open_at_end", s.connections_open_at_end},
      {"max_connections", s.max_connections},
      {"timestamps_backwards", s.timestamps_backwards}};
  for (const auto& [key, value] : counts) {
    w->Key(key);
    w->Uint(value);
  }
  w->Key("first_packet_time");
  WriteOptionalTime(s.first_packet_time, w);
  w->Key("last_packet_time");
  WriteOptionalTime(s.last_packet_time, w);
  w->Key("duration");
  w->Seconds(CaptureDuration(s));
  WriteStateCounts(tally, w);
  w->Key("decode_counters");
  w->BeginObject();
  for (const auto& [name, value] :
       SortedDecodeCounters(s.decode, /*include_zero=*/true)) {
    w->Key(name);
    w->Uint(value);
  }
  w->EndObject();
  if (live) {
    w->Key("live_capture");
    WriteLiveCapture(*live, w);
  }
  w->EndObject();
}

void UintOrNull(const std::optional<uint32_t>& v, JsonWriter* w) {
  if (v) {
    w->Uint(*v);
  } else {
    w->Null();
  }
}

// hosts[].isn: Nmap's SEQ metrics and the class are null with fewer than
// 4 samples ("not enough samples", never a verdict).
void WriteIsnVerdict(const HostIsn& isn, JsonWriter* w) {
  const bool ok = isn.enough;
  w->Key("verdict");
  w->String(!ok ? "not enough samples"
                : isn.predictable ? "predictable" : "unpredictable");
  w->Key("gcd");
  UintOrNull(ok ? std::optional<uint32_t>(isn.gcd) : std::nullopt, w);
  w->Key("isr");
  UintOrNull(ok ? std::optional<uint32_t>(isn.isr) : std::nullopt, w);
  w->Key("sp");
  UintOrNull(ok ? std::optional<uint32_t>(isn.sp) : std::nullopt, w);
  w->Key("difficulty");
  StringOrNull(ok ? isn.difficulty : "", w);
  w->Key("class");
  StringOrNull(ok ? isn.isn_class : "", w);
  w->Key("predictable");
  if (ok) {
    w->Bool(isn.predictable);
  } else {
    w->Null();
  }
  w->Key("next_predicted");
  UintOrNull(isn.next_predicted, w);
  w->Key("check");
  if (isn.check) {
    w->BeginObject();
    w->Key("packet");
    w->Uint(isn.check->packet);
    w->Key("predicted");
    w->Uint(isn.check->predicted);
    w->Key("observed");
    w->Uint(isn.check->observed);
    w->EndObject();
  } else {
    w->Null();
  }
}

void WriteIsn(const HostIsn& isn, JsonWriter* w) {
  w->BeginObject();
  w->Key("samples");
  w->Uint(isn.samples);
  w->Key("same_tuple");
  w->Uint(isn.same_tuple);
  WriteIsnVerdict(isn, w);
  w->Key("evidence");
  w->BeginArray();
  for (uint64_t p : isn.evidence) {
    w->Uint(p);
  }
  w->EndArray();
  w->Key("ip_id_class");
  StringOrNull(isn.ip_id_class, w);
  w->Key("ts_hz");
  UintOrNull(isn.ts_hz, w);
  w->EndObject();
}

void WriteHosts(const std::vector<HostRecord>& hosts, JsonWriter* w) {
  w->BeginArray();
  for (const HostRecord& host : hosts) {
    w->BeginObject();
    w->Key("addr");
    w->String(host.addr.ToString());
    w->Key("isn");
    if (host.isn) {
      WriteIsn(*host.isn, w);
    } else {
      w->Null();
    }
    w->Key("anomalies");
    WriteAnomalies(host.anomalies, w);
    w->EndObject();
  }
  w->EndArray();
}

// Everything but "connections": shared by the document and the jsonl
// summary line. `connections` is written between "summary" and "hosts"
// when non-null.
// `drain`, if set, is called after each connection so that a caller
// streaming to a file can empty the writer's buffer. Returns false if a
// connection's text could not be had (the document is then incomplete).
bool WriteResultMembers(const AnalysisResult& result,
                        const ConnectionTally& tally,
                        const JsonConnections* connections, JsonWriter* w,
                        const std::function<void()>& drain = nullptr) {
  w->Key("tcpstate_version");
  w->String(result.tcpstate_version);
  w->Key("inputs");
  WriteInputs(result.inputs, w);
  w->Key("summary");
  WriteSummary(result.summary, tally, result.live, w);
  bool complete = true;
  if (connections != nullptr) {
    w->Key("connections");
    w->BeginArray();
    std::string text;
    for (uint64_t i = 0; i < connections->count; ++i) {
      text.clear();
      complete = connections->text(i, &text);
      if (!complete) {
        break;
      }
      w->RawValue(text);
      if (drain) {
        drain();
      }
    }
    w->EndArray();
  }
  w->Key("hosts");
  WriteHosts(result.hosts, w);
  w->Key("anomalies");
  WriteAnomalies(result.anomalies, w);
  w->Key("error");
  StringOrNull(result.error, w);
  return complete;
}

}  // namespace

void WriteConnectionMembers(const ConnectionRecord& c, JsonWriter* w) {
  w->Key("id");
  w->Uint(c.id);
  w->Key("first_seen");
  w->EpochSeconds(c.first_seen);
  w->Key("last_seen");
  w->EpochSeconds(c.last_seen);
  w->Key("duration");
  w->Seconds(c.last_seen - c.first_seen);
  w->Key("handshake_rtt");
  if (c.handshake_rtt) {
    w->Seconds(*c.handshake_rtt);
  } else {
    w->Null();
  }
  w->Key("first_packet");
  w->Uint(c.first_packet);
  w->Key("last_packet");
  w->Uint(c.last_packet);
  w->Key("client");
  WriteEndpoint(c.client, "server", w);
  w->Key("server");
  WriteEndpoint(c.server, "client", w);
  w->Key("conn_state");
  w->String(c.conn_state);
  w->Key("history");
  w->String(c.history);
  w->Key("mid_stream");
  w->Bool(c.mid_stream);
  w->Key("role_rule");
  w->String(RoleRuleName(c.role_rule));
  w->Key("end_reason");
  w->String(EndReasonName(c.end_reason));
  w->Key("notes");
  w->BeginArray();
  for (const std::string& note : c.notes) {
    w->String(note);
  }
  w->EndArray();
  w->Key("anomalies");
  WriteAnomalies(c.anomalies, w);
}

void AppendJsonDocumentConnection(const ConnectionRecord& record,
                                  std::string* out) {
  JsonWriter w(out, /*indent=*/2, kJsonConnectionDepth);
  w.BeginObject();
  WriteConnectionMembers(record, &w);
  w.EndObject();
}

bool WriteJson(const AnalysisResult& result, const ConnectionTally& tally,
               const JsonConnections& connections, std::ostream& os) {
  std::string out;
  JsonWriter w(&out, /*indent=*/2);
  auto drain = [&]() {
    w.Flush();
    os << out;
    out.clear();
  };
  w.BeginObject();
  const bool complete =
      WriteResultMembers(result, tally, &connections, &w, drain);
  w.EndObject();
  out.push_back('\n');
  drain();
  return complete;
}

void WriteJson(const AnalysisResult& result, std::ostream& os) {
  JsonConnections connections;
  connections.count = result.connections.size();
  connections.text = [&result](uint64_t index, std::string* out) {
    AppendJsonDocumentConnection(result.connections[index], out);
    return true;
  };
  WriteJson(result, ConnectionTally::Of(result.connections), connections, os);
}

std::string RenderJson(const AnalysisResult& result) {
  std::ostringstream os;
  WriteJson(result, os);
  return os.str();
}

void AppendJsonlConnection(const ConnectionRecord& record, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("type");
  w.String("connection");
  WriteConnectionMembers(record, &w);
  w.EndObject();
  out->push_back('\n');
}

std::string RenderJsonlConnection(const ConnectionRecord& record) {
  std::string out;
  AppendJsonlConnection(record, &out);
  return out;
}

std::string RenderJsonlSummary(const AnalysisResult& result,
                               const ConnectionTally& tally) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("type");
  w.String("summary");
  WriteResultMembers(result, tally, /*connections=*/nullptr, &w);
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace tcpstate
