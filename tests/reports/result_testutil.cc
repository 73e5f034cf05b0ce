#include "tests/reports/result_testutil.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {
namespace testing_results {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}
namespace {

const absl::Time kT0 = absl::FromUnixMicros(1700000000250000);

absl::Time At(double seconds) { return kT0 + absl::Seconds(seconds); }

IpAddress V6(uint8_t last) {
  uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8};
  bytes[15] = last;
  return IpAddress::FromBytes(bytes);
}

EndpointRecord Endpoint(IpAddress addr, uint16_t port, TcpState state,
                        Certainty certainty) {
  EndpointRecord e;
  e.addr = addr;
  e.port = port;
  e.state = state;
  e.certainty = certainty;
  return e;
}

ConnectionRecord ServerNeverCloses() {
  ConnectionRecord c;
  c.id = 1;
  c.first_seen = At(0);
  c.last_seen = At(12.5);
  c.first_packet = 1;
  c.last_packet = 16;
  c.client = Endpoint(IpAddress::V4(0xC6120001), 54566, TcpState::kCloseWait,
                      Certainty::kConfirmed);
  c.client.isn = 1000;
  c.client.packets = 8;
  c.client.payload_bytes = 120;
  c.client.ip_bytes = 540;
  c.client.syns = 1;
  c.client.options = {1460, 7, true, true, false};
  c.client.timeline = {{At(0), 1, TcpState::kSynSent},
                       {At(0.001), 3, TcpState::kEstablished},
                       {At(2), 9, TcpState::kCloseWait}};
  c.server = Endpoint(IpAddress::V4(0xC6120002), 8001, TcpState::kFinWait1,
                      Certainty::kInferred);
  c.server.isn = 4000000000u;
  c.server.packets = 8;
  c.server.payload_bytes = 4000;
  c.server.ip_bytes = 4420;
  c.server.syns = 1;
  c.server.fins = 5;
  c.server.options = {1400, std::nullopt, false, false, true};
  c.server.timeline = {{At(0.0005), 2, TcpState::kSynReceived},
                       {At(0.001), 3, TcpState::kEstablished},
                       {At(1.5), 8, TcpState::kFinWait1}};
  c.conn_state = "S1";
  c.history = "ShADadF";
  c.role_rule = RoleRule::kSynSenderIsClient;
  c.end_reason = EndReason::kCaptureEnd;
  c.notes = {
      "server FIN (pkt 8) ACKed by client (pkt 9), yet server "
      "retransmitted FIN 4× (pkts 10,12,14,16)"};
  Anomaly a;
  a.kind = "fin_retransmitted_after_ack";
  a.severity = Severity::kWarning;
  a.endpoint = "server";
  a.first_packet = 10;
  a.last_packet = 16;
  a.t = At(3);
  a.duration = absl::Seconds(9.5);
  a.count = 4;
  a.packets = {10, 12, 14, 16};
  a.detail = "The server keeps resending a FIN the client already ACKed.";
  c.anomalies = {a};
  return c;
}

ConnectionRecord MidStreamV6() {
  ConnectionRecord c;
  c.id = 2;
  c.first_seen = At(1);
  c.last_seen = At(1.75);
  c.first_packet = 5;
  c.last_packet = 11;
  c.client =
      Endpoint(V6(1), 40000, TcpState::kEstablished, Certainty::kInferred);
  c.client.packets = 3;
  c.client.payload_bytes = 300;
  c.client.ip_bytes = 480;
  c.client.timeline = {{At(1), 5, TcpState::kEstablished}};
  c.server = Endpoint(V6(2), 443, TcpState::kUnknown, Certainty::kUnknown);
  c.server.packets = 2;
  c.server.ip_bytes = 120;
  c.conn_state = "OTH";
  c.history = "Da";
  c.mid_stream = true;
  c.role_rule = RoleRule::kLowerPortIsServer;
  c.notes = {"joined mid-stream: no handshake seen"};
  return c;
}

LadderSegment Seg(uint64_t packet, double t, bool from_client, uint8_t flags,
                  uint32_t seq, uint32_t ack, uint32_t len) {
  LadderSegment s = LadderSeg(packet, from_client, flags, seq, ack, len);
  s.t = At(t);
  s.window = 64240;
  return s;
}

Ladder ServerNeverClosesLadder() {
  constexpr uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;
  const uint32_t retransmission =
      1u << static_cast<int>(AnomalyKind::kRetransmission);
  Ladder l;
  l.segments = {Seg(1, 0, true, kSyn, 0, 0, 0),
                Seg(2, 0.0005, false, kSyn | kAck, 0, 1, 0),
                Seg(3, 0.001, true, kAck, 1, 1, 0),
                Seg(4, 0.5, true, kPsh | kAck, 1, 1, 120),
                Seg(8, 1.5, false, kFin | kAck, 4001, 121, 0),
                Seg(9, 2, true, kAck, 121, 4002, 0),
                Seg(10, 3, false, kFin | kAck, 4001, 121, 0),
                Seg(11, 3.1, true, kAck, 121, 4002, 0),
                Seg(12, 5, false, kFin | kAck, 4001, 121, 0)};
  l.segments[6].anomaly_kinds = retransmission;
  l.segments[7].duplicate = true;
  l.segments[8].anomaly_kinds = retransmission;
  l.segments[8].lost_after_tap = true;
  l.folds = {{3, 3}, {8, 4}};
  l.total = 16;
  return l;
}

}  // namespace

LadderSegment LadderSeg(uint64_t packet, bool from_client, uint8_t flags,
                        uint32_t rel_seq, uint32_t rel_ack, uint32_t len) {
  LadderSegment s;
  s.packet = packet;
  s.from_client = from_client;
  s.flags = flags;
  s.rel_seq = rel_seq;
  s.rel_ack = rel_ack;
  s.len = len;
  return s;
}

ConnectionRecord SampleConnection() { return ServerNeverCloses(); }

ConnectionRecord ScriptedLadderConnection() {
  ConnectionRecord c = SampleConnection();
  Ladder l;
  l.segments = {LadderSeg(1, true, 0x02, 0, 0, 0),
                LadderSeg(2, false, 0x12, 0, 1, 0),
                LadderSeg(3, true, 0x10, 1, 1, 0),
                LadderSeg(40, true, 0x18, 901, 1, 100),
                LadderSeg(41, true, 0x18, 901, 1, 100),
                LadderSeg(50, true, 0x11, 1001, 1, 0),
                LadderSeg(51, false, 0x10, 1, 1002, 0)};
  l.segments[3].lost_after_tap = true;
  l.segments[4].anomaly_kinds =
      1u << static_cast<unsigned>(AnomalyKind::kRetransmission);
  l.segments[5].duplicate = true;
  l.folds = {{2, 36}, {4, 8}};
  l.total = 51;
  c.ladder = l;
  c.client.timeline = {{absl::Time(), 1, TcpState::kSynSent},
                       {absl::Time(), 3, TcpState::kEstablished},
                       {absl::Time(), 50, TcpState::kFinWait1},
                       {absl::Time(), 51, TcpState::kFinWait2}};
  c.server.timeline = {{absl::Time(), 1, TcpState::kSynReceived},
                       {absl::Time(), 3, TcpState::kEstablished},
                       {absl::Time(), 20, TcpState::kCloseWait},
                       {absl::Time(), 0, TcpState::kClosed}};
  return c;
}

AnalysisResult SampleWithLadders() {
  AnalysisResult r = Sample();
  r.connections[0].ladder = ServerNeverClosesLadder();
  r.connections[0].handshake_rtt = absl::Milliseconds(1);
  return r;
}

AnalysisResult Sample() {
  AnalysisResult r;
  r.tcpstate_version = "0.1.0";
  r.inputs = {{"a.pcap", "EN10MB", 12, 3000, ""},
              {"b.pcapng", "LINUX_SLL2", 8, 1800, ""}};
  r.summary.packets = 20;
  r.summary.bytes = 4800;
  r.summary.tcp_packets = 18;
  r.summary.connections = 2;
  r.summary.first_packet_time = At(0);
  r.summary.last_packet_time = At(12.5);
  r.summary.decode.Bump(DecodeCounter::kTcpBadChecksum);
  r.summary.decode.Bump(DecodeCounter::kNonIp);
  r.summary.decode.Bump(DecodeCounter::kNonIp);
  r.connections = {ServerNeverCloses(), MidStreamV6()};
  Anomaly scan;
  scan.kind = "syn_to_many_ports";
  scan.severity = Severity::kInfo;
  scan.endpoint = "198.18.0.9";
  scan.first_packet = 17;
  scan.last_packet = 20;
  scan.t = At(11);
  scan.count = 4;
  scan.packets = {17, 18, 19, 20};
  scan.detail = "198.18.0.9 sent SYNs to 4 ports.";
  r.hosts = {{IpAddress::V4(0xC6120009), {scan}, std::nullopt}};
  r.anomalies = {scan};
  return r;
}

AnalysisResult Empty() {
  AnalysisResult r;
  r.tcpstate_version = "0.1.0";
  r.inputs = {{"empty.pcap", "EN10MB", 0, 0, ""}};
  return r;
}

AnalysisResult Damaged() {
  AnalysisResult r;
  r.tcpstate_version = "0.1.0";
  r.inputs = {{"good.pcap", "EN10MB", 16, 2000, ""},
              {"cut.pcap", "", 0, 0,
               "cut.pcap: record 1 at byte 24: truncated record header"}};
  r.summary.packets = 16;
  r.summary.bytes = 2000;
  r.summary.tcp_packets = 16;
  r.summary.connections = 1;
  r.summary.first_packet_time = At(0);
  r.summary.last_packet_time = At(12.5);
  r.summary.timestamps_backwards = 1;
  r.connections = {ServerNeverCloses()};
  r.error = r.inputs[1].error;
  return r;
}

AnalysisResult Hostile() {
  const std::string evil =
      "q\"b\\s</script><script>x\x01\x1b[2J\x7f\xff\xc3\x28 ok\xe2\x82";
  AnalysisResult r = Damaged();
  r.inputs[1].name = evil;
  r.inputs[1].error = evil;
  r.error = evil;
  ConnectionRecord& c = r.connections[0];
  c.conn_state = evil;
  c.history = evil;
  c.notes = {evil};
  c.anomalies[0].kind = evil;
  c.anomalies[0].endpoint = evil;
  c.anomalies[0].detail = evil;
  return r;
}

::testing::AssertionResult IsPrintableAscii(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x20 || ch >= 0x7f) {
      return ::testing::AssertionFailure() << absl::StrCat(
                 "byte 0x", absl::Hex(ch, absl::kZeroPad2), " at offset ", i);
    }
  }
  return ::testing::AssertionSuccess();
}

std::string Golden(const std::string& name, const std::string& actual) {
  const std::string path =
      std::string(TCPSTATE_SOURCE_DIR) + "/tests/reports/golden/" + name;
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string WithoutInlineAssets(absl::string_view html) {
  std::string out;
  size_t pos = 0;
  size_t from = 0;  // where to look for the next opening tag
  while (true) {
    const size_t style = html.find("<style>", from);
    const size_t script = html.find("<script>", from);
    const size_t open = std::min(style, script);
    if (open == absl::string_view::npos) {
      break;
    }
    const bool is_style = open == style;
    const absl::string_view tag = is_style ? "<style>" : "<script>";
    const absl::string_view end_tag = is_style ? "</style>" : "</script>";
    const size_t body = open + tag.size();
    const size_t close = html.find(end_tag, body);
    from = body;
    if (close == absl::string_view::npos ||
        absl::StripAsciiWhitespace(html.substr(body, close - body)).empty()) {
      continue;  // unclosed or blank: left as it is
    }
    absl::StrAppend(&out, html.substr(pos, body - pos), "\n",
                    kInlineAssetMarker, "\n");
    pos = from = close;
  }
  absl::StrAppend(&out, html.substr(pos));
  return out;
}

std::string WithoutZeroDecodeCounters(const std::string& json) {
  const std::string marker = "\"decode_counters\":";
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t found = json.find(marker, pos);
    const size_t open =
        found == std::string::npos ? found : json.find('{', found);
    const size_t close =
        open == std::string::npos ? open : json.find('}', open);
    if (close == std::string::npos) {
      out.append(json, pos, std::string::npos);
      return out;
    }
    out.append(json, pos, open + 1 - pos);
    std::vector<std::string> kept;
    for (absl::string_view entry : absl::StrSplit(
             absl::string_view(json).substr(open + 1, close - open - 1), ',')) {
      const size_t colon = entry.rfind(':');
      if (colon == absl::string_view::npos ||
          absl::StripAsciiWhitespace(entry.substr(colon + 1)) != "0") {
        kept.emplace_back(absl::StripAsciiWhitespace(entry));
      }
    }
    out.append(absl::StrJoin(kept, ","));
    pos = close;
  }
}

LiveCaptureInfo Live(const std::string& interface, uint64_t received,
                     uint64_t kernel_drops, uint64_t interface_drops) {
  LiveCaptureInfo live;
  live.interface = interface;
  live.started = absl::FromUnixSeconds(1763730000);
  live.stopped = absl::FromUnixSeconds(1763730042);
  live.stop_reason = "signal";
  live.received = received;
  live.dropped_by_kernel = kernel_drops;
  live.dropped_by_interface = interface_drops;
  return live;
}

namespace {
const absl::Time kScaleT0 = absl::FromUnixSeconds(1700000000);


Anomaly ScaleFlag(AnomalyKind kind, const std::string& endpoint) {
  Anomaly a;
  a.kind = InfoOf(kind).id;
  a.severity = InfoOf(kind).severity;
  a.endpoint = endpoint;
  a.t = kScaleT0;
  a.count = 1;
  a.detail = "one sentence a person understands";
  return a;
}

// A 12-segment exchange with one retransmission, as flagged connections
// of a busy server have.
Ladder ScaleLadder() {
  Ladder l;
  l.segments = {LadderSeg(1, true, 0x02, 0, 0, 0),
                LadderSeg(2, false, 0x12, 0, 1, 0),
                LadderSeg(3, true, 0x10, 1, 1, 0),
                LadderSeg(4, true, 0x18, 1, 1, 120),
                LadderSeg(5, false, 0x10, 1, 121, 0),
                LadderSeg(6, false, 0x18, 1, 121, 1448),
                LadderSeg(7, false, 0x18, 1, 121, 1448),
                LadderSeg(8, true, 0x10, 121, 2897, 0),
                LadderSeg(9, false, 0x18, 1, 121, 1448),
                LadderSeg(10, true, 0x11, 121, 2897, 0),
                LadderSeg(11, false, 0x11, 2897, 122, 0),
                LadderSeg(12, true, 0x10, 122, 2898, 0)};
  l.segments[8].anomaly_kinds =
      1u << static_cast<unsigned>(AnomalyKind::kRetransmission);
  for (size_t i = 0; i < l.segments.size(); ++i) {
    l.segments[i].t = kScaleT0 + absl::Microseconds(40 * i);
    l.segments[i].window = 64240;
  }
  l.total = 12;
  return l;
}

// 100,000 connections (every seventh flagged, some with possible states)
// between 700 hosts that all chose ISNs, 5 of them predictably.
}  // namespace

AnalysisResult HundredThousand() {
  AnalysisResult r;
  r.summary.connections = 100000;
  for (uint64_t id = 1; id <= 100000; ++id) {
    ConnectionRecord c;
    c.id = id;
    c.first_seen = kScaleT0;
    c.last_seen = kScaleT0 + absl::Milliseconds(id % 5000);
    c.handshake_rtt = absl::Microseconds(40);
    c.client.addr = IpAddress::V4(0xC6120000 + static_cast<uint32_t>(id % 700));
    c.client.port = static_cast<uint16_t>(1024 + id % 60000);
    c.server.addr = IpAddress::V4(0xC6130001);
    c.server.port = 443;
    c.client.state = TcpState::kTimeWait;
    c.server.state = TcpState::kClosed;
    c.client.certainty = Certainty::kConfirmed;
    c.server.certainty = Certainty::kInferred;
    c.client.packets = 12;
    c.server.packets = 10;
    c.client.payload_bytes = 1200;
    c.server.payload_bytes = 250000;
    c.conn_state = "SF";
    c.history = "ShADadFf";
    if (id % 7 == 0) {
      c.anomalies.push_back(ScaleFlag(AnomalyKind::kRetransmission, "client"));
      c.ladder = ScaleLadder();
      PossibleState p;
      p.state = TcpState::kLastAck;
      p.reasons = {PossibleReason::kReceiptLost};
      p.packet = 9;
      c.server.possible_states = {p};
    }
    if (id % 1000 == 0) {
      c.anomalies.push_back(ScaleFlag(AnomalyKind::kRstTeardown, "server"));
    }
    r.connections.push_back(std::move(c));
  }
  for (uint32_t h = 0; h < 700; ++h) {
    HostRecord host;
    host.addr = IpAddress::V4(0xC6120000 + h);
    HostIsn isn;
    isn.samples = 140;
    isn.enough = true;
    isn.isn_class = h < 5 ? "fixed_increment" : "random";
    isn.predictable = h < 5;
    isn.difficulty = h < 5 ? "Trivial joke" : "Good luck!";
    host.isn = isn;
    r.hosts.push_back(host);
  }
  return r;
}

}  // namespace testing_results
}  // namespace tcpstate
