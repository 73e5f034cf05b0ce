#include "analyzer/part_codec.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                             s.size());
}

TEST(PartCodecTest, IntegersRoundTrip) {
  const std::vector<uint64_t> unsigned_values = {
      0, 1, 127, 128, 300, uint64_t{1} << 35,
      std::numeric_limits<uint64_t>::max()};
  const std::vector<int64_t> signed_values = {
      0, 1, -1, 63, -64, 64, std::numeric_limits<int64_t>::max(),
      std::numeric_limits<int64_t>::min()};
  PartEncoder e;
  for (uint64_t v : unsigned_values) {
    e.U(v);
  }
  for (int64_t v : signed_values) {
    e.I(v);
  }
  PartDecoder d(Bytes(e.bytes()));
  for (uint64_t v : unsigned_values) {
    EXPECT_EQ(d.U(), v);
  }
  for (int64_t v : signed_values) {
    EXPECT_EQ(d.I(), v);
  }
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
}

TEST(PartCodecTest, TimesAndDurationsAreExact) {
  const absl::Duration quarter = absl::Nanoseconds(1) / 4;
  const std::vector<absl::Duration> durations = {
      absl::ZeroDuration(), quarter, -quarter, absl::Nanoseconds(999999999),
      absl::Seconds(-3) - quarter * 3, absl::Hours(24 * 365 * 100) + quarter,
      absl::InfiniteDuration(), -absl::InfiniteDuration()};
  const std::vector<absl::Time> times = {
      absl::UnixEpoch(), absl::FromUnixNanos(1763730000123456789),
      absl::FromUnixSeconds(-5) + quarter, absl::InfiniteFuture(),
      absl::InfinitePast()};
  PartEncoder e;
  for (absl::Duration v : durations) {
    e.Dur(v);
  }
  for (absl::Time t : times) {
    e.Time(t);
  }
  PartDecoder d(Bytes(e.bytes()));
  for (absl::Duration v : durations) {
    EXPECT_EQ(d.Dur(), v);
  }
  for (absl::Time t : times) {
    EXPECT_EQ(d.Time(), t);
  }
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
}

TEST(PartCodecTest, BadBytesFailForGood) {
  {  // cut short
    const std::string bytes("\x80", 1);
    PartDecoder d(Bytes(bytes));
    EXPECT_EQ(d.U(), 0u);
    EXPECT_FALSE(d.ok());
    EXPECT_EQ(d.Byte(), 0u);  // and stays failed
  }
  {  // longer than 64 bits
    const std::string bytes(11, '\xFF');
    PartDecoder d(Bytes(bytes));
    d.U();
    EXPECT_FALSE(d.ok());
  }
  {  // an enum out of range
    const std::string bytes("\x05", 1);
    PartDecoder d(Bytes(bytes));
    EXPECT_EQ(d.Below(5), 0u);
    EXPECT_FALSE(d.ok());
  }
  {  // a list longer than the bytes left: refused before it is made
    PartEncoder e;
    EncodeRecord(ConnectionRecord(), e);
    std::string bytes = e.bytes();
    // The client's timeline count sits after the record's fixed start; a
    // count of 2^60 anywhere must fail, not allocate.
    for (size_t at = 0; at < bytes.size(); ++at) {
      std::string huge = bytes.substr(0, at);
      PartEncoder count;
      count.U(uint64_t{1} << 60);
      huge += count.bytes();
      huge += bytes.substr(at);
      PartDecoder d(Bytes(huge));
      ConnectionRecord back;
      DecodeRecord(d, &back);  // fails or decodes; never allocates 2^60
    }
  }
  {  // a string longer than the bytes left
    const std::string bytes("\x09" "abc", 4);
    PartDecoder d(Bytes(bytes));
    EXPECT_EQ(d.Str(), "");
    EXPECT_FALSE(d.ok());
  }
}

IpAddress Addr(bool v6, uint8_t last) {
  std::vector<uint8_t> b(v6 ? 16 : 4, 0);
  b[0] = v6 ? 0x20 : 198;
  b[1] = v6 ? 0x01 : 18;
  b.back() = last;
  return IpAddress::FromBytes(b);
}

EndpointRecord Endpoint(const IpAddress& addr, uint16_t port, int salt) {
  EndpointRecord p;
  p.addr = addr;
  p.port = port;
  p.state = TcpState::kCloseWait;
  p.certainty = Certainty::kInferred;
  p.isn = 4000000000u + salt;
  p.isn_time = absl::FromUnixNanos(1763730000000000001 + salt);
  p.isn_packet = 3 + salt;
  p.syn_ip_id = 777;
  p.syn_tsval = 123456;
  p.packets = 10;
  p.payload_bytes = 1 << 20;
  p.missed_bytes = 5;
  p.ip_bytes = (1 << 20) + 400;
  p.syns = 1;
  p.fins = 2;
  p.rsts = 3;
  p.options.mss = 1460;
  p.options.window_scale = 7;
  p.options.sack_permitted = true;
  p.options.timestamps = true;
  p.options.tfo = salt % 2 == 0;
  p.timeline = {{absl::FromUnixSeconds(1763730000), 1, TcpState::kSynSent},
                {absl::FromUnixSeconds(1763730001), 3, TcpState::kCloseWait}};
  PossibleState other;
  other.state = TcpState::kLastAck;
  other.reasons = {PossibleReason::kClosedUnseen, PossibleReason::kRstArrived};
  other.packet = 9;
  other.amount = 42;
  p.possible_states = {other};
  return p;
}

ConnectionRecord FullRecord(bool v6) {
  ConnectionRecord r;
  r.id = 17;
  r.first_seen = absl::FromUnixNanos(1763730000000000001);
  r.last_seen = r.first_seen + absl::Seconds(90) + absl::Nanoseconds(1) / 4;
  r.first_packet = 1;
  r.last_packet = 99;
  r.client = Endpoint(Addr(v6, 1), 40000, 1);
  r.server = Endpoint(Addr(v6, 2), 80, 2);
  r.conn_state = "S1";
  r.history = "ShADadf";
  r.mid_stream = true;
  r.role_rule = RoleRule::kLowerPortIsServer;
  r.end_reason = EndReason::kPortReuse;
  r.notes = {"one", "two \xE2\x9C\x95"};
  Anomaly a;
  a.kind = "close_wait_stuck";
  a.severity = Severity::kWarning;
  a.endpoint = "server";
  a.first_packet = 5;
  a.last_packet = 9;
  a.t = r.first_seen + absl::Seconds(61);
  a.duration = absl::Seconds(29);
  a.count = 2;
  a.packets = {5, 9};
  a.detail = "stuck";
  r.anomalies = {a, a};
  r.handshake_rtt = absl::Microseconds(11);
  r.reuse = PortReuse{3, TcpState::kTimeWait, TcpState::kClosed};
  Ladder l;
  LadderSegment s;
  s.packet = 4;
  s.t = r.first_seen;
  s.from_client = false;
  s.flags = 0x12;
  s.rel_seq = 1;
  s.rel_ack = 2;
  s.len = 3;
  s.window = 65535;
  s.anomaly_kinds = 1u << 5;
  s.lost_after_tap = true;
  s.duplicate = true;
  l.segments = {s, s};
  l.folds = {{0, 12}};
  l.total = 14;
  r.ladder = l;
  return r;
}

class PartRecordTest : public testing::TestWithParam<bool> {};

// Decoding reads every field written: encoding the decoded record gives
// the same bytes, and the fields compare equal.
TEST_P(PartRecordTest, RecordRoundTrips) {
  const ConnectionRecord r = FullRecord(GetParam());
  PartEncoder e;
  EncodeRecord(r, e);
  PartDecoder d(Bytes(e.bytes()));
  ConnectionRecord back;
  DecodeRecord(d, &back);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
  PartEncoder again;
  EncodeRecord(back, again);
  EXPECT_EQ(again.bytes(), e.bytes());
  EXPECT_EQ(back.server.addr, r.server.addr);
  EXPECT_EQ(back.last_seen, r.last_seen);
  EXPECT_EQ(back.client.possible_states[0].reasons,
            r.client.possible_states[0].reasons);
  EXPECT_EQ(back.anomalies[1].detail, "stuck");
  ASSERT_TRUE(back.ladder.has_value());
  EXPECT_EQ(back.ladder->folds[0].omitted, 12u);
  EXPECT_EQ(back.reuse->previous_client, TcpState::kTimeWait);
}

// Every prefix of a record fails to decode, and none crashes.
TEST_P(PartRecordTest, EveryCutFails) {
  PartEncoder e;
  EncodeRecord(FullRecord(GetParam()), e);
  const std::string& bytes = e.bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::string cut = bytes.substr(0, n);  // outlives the decoder
    PartDecoder d(Bytes(cut));
    ConnectionRecord back;
    DecodeRecord(d, &back);
    EXPECT_FALSE(d.ok()) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Ipv4AndIpv6, PartRecordTest, testing::Bool());

TEST(PartCodecTest, SummaryAndInputRoundTrip) {
  CaptureSummary s;
  s.packets = 10;
  s.bytes = 1000;
  s.tcp_packets = 9;
  s.max_connections = 65536;
  s.timestamps_backwards = 2;
  s.first_packet_time = absl::FromUnixSeconds(1);
  s.decode.Bump(DecodeCounter::kTcpBadChecksum);
  InputInfo in{"a.pcap", "EN10MB", 10, 1000, "cut short"};
  PartEncoder e;
  EncodeSummary(s, e);
  EncodeInput(in, e);
  PartDecoder d(Bytes(e.bytes()));
  CaptureSummary s2;
  InputInfo in2;
  DecodeSummary(d, &s2);
  DecodeInput(d, &in2);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
  EXPECT_EQ(s2.packets, 10u);
  EXPECT_EQ(s2.first_packet_time, s.first_packet_time);
  EXPECT_FALSE(s2.last_packet_time.has_value());
  EXPECT_EQ(s2.decode.Get(DecodeCounter::kTcpBadChecksum), 1u);
  EXPECT_EQ(in2.error, "cut short");
}

TEST(PartCodecTest, FingerprintHoldsTheAnalysisOptions) {
  AnalyzerOptions o;
  o.time_wait = absl::Seconds(30);
  o.anomalies.stuck_after = absl::Seconds(5);
  o.anomalies.overrides[1] = absl::Seconds(9);
  o.anomalies.syn_flood_min = 7;
  o.max_connections = 1234;
  o.reassembly.enabled = false;
  const std::string f = AnalysisFingerprint(o);
  EXPECT_NE(f, AnalysisFingerprint(AnalyzerOptions()));
  AnalyzerOptions back;
  ASSERT_TRUE(DecodeAnalysisFingerprint(f, &back));
  EXPECT_EQ(AnalysisFingerprint(back), f);
  EXPECT_EQ(back.anomalies.overrides[1], absl::Seconds(9));
  EXPECT_FALSE(back.reassembly.enabled);
  EXPECT_FALSE(DecodeAnalysisFingerprint(f.substr(0, f.size() - 1), &back));
  // Report options are not analysis options.
  AnalyzerOptions report = o;
  report.retain_connections = !o.retain_connections;
  report.ladders = LadderMode::kSelected;
  EXPECT_EQ(AnalysisFingerprint(report), f);
}

}  // namespace
}  // namespace tcpstate
