// The flow table cap: eviction order, end reasons and exact accounting.
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "analyzer/flow_table.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/packet_builder.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck;

TestPeers Peers(uint32_t client) {
  return TestPeers{IpAddress::V4(client), IpAddress::V4(0xC6120002), 40000,
                   80};
}

TEST(FlowTableEvictionTest, FullTableEvictsIncompleteHandshakesFirst) {
  FlowTableOptions o;
  o.max_connections = 16;
  FlowTable table(o);
  absl::Time t = absl::FromUnixSeconds(1000);
  uint64_t packet = 0;
  // One established connection, the oldest of all.
  const TestPeers good = Peers(0xC6120001);
  table.OnSegment(MakeSegment(good, true, kSyn, 100, 0, 0, 1), {++packet, t});
  table.OnSegment(MakeSegment(good, false, kSyn | kAck, 500, 101, 0, 2),
                  {++packet, t});
  table.OnSegment(MakeSegment(good, true, kAck, 101, 501, 0, 3),
                  {++packet, t});
  // Then a flood of SYNs from other sources.
  for (uint32_t i = 0; i < 100; ++i) {
    t += absl::Milliseconds(1);
    table.OnSegment(MakeSegment(Peers(0xC6128000 + i), true, kSyn, i, 0, 0,
                                static_cast<uint16_t>(i + 10)),
                    {++packet, t});
  }
  EXPECT_LE(table.open(), 16u);
  std::vector<ConnectionRecord> out = table.TakeFinished();
  for (const ConnectionRecord& r : out) {
    EXPECT_EQ(r.end_reason, EndReason::kEvicted);
    EXPECT_NE(r.client.addr, good.client) << "established evicted first";
  }
  // Evicted oldest first: the first flood SYNs went first.
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front().id, 2u);
  table.FlushAll(t);
  bool good_reported = false;
  for (const ConnectionRecord& r : table.TakeFinished()) {
    good_reported = good_reported || r.client.addr == good.client;
  }
  EXPECT_TRUE(good_reported);
}

// Handshakes that never complete may take an eighth of the table (a SYN
// backlog): a flood evicts its own oldest SYNs long before the table is
// full, and established connections beyond that eighth are never touched.
TEST(FlowTableEvictionTest, NeverCompletedHandshakesHaveAnEighth) {
  FlowTableOptions o;
  o.max_connections = 64;  // 8 for handshakes that never complete
  FlowTable table(o);
  absl::Time t = absl::FromUnixSeconds(1000);
  uint64_t packet = 0;
  // 20 established connections: more than the eighth, all kept.
  for (uint32_t i = 0; i < 20; ++i) {
    const TestPeers p = Peers(0xC6120100 + i);
    table.OnSegment(MakeSegment(p, true, kSyn, 100, 0, 0, 1), {++packet, t});
    table.OnSegment(MakeSegment(p, false, kSyn | kAck, 500, 101, 0, 2),
                    {++packet, t});
    table.OnSegment(MakeSegment(p, true, kAck, 101, 501, 0, 3),
                    {++packet, t});
  }
  EXPECT_TRUE(table.TakeFinished().empty());
  // A flood of 100 SYNs: never more than 8 held, the oldest evicted first.
  for (uint32_t i = 0; i < 100; ++i) {
    t += absl::Milliseconds(1);
    table.OnSegment(MakeSegment(Peers(0xC6128000 + i), true, kSyn, i, 0, 0,
                                static_cast<uint16_t>(i + 10)),
                    {++packet, t});
    EXPECT_LE(table.open(), 20u + 8u);
  }
  const std::vector<ConnectionRecord> out = table.TakeFinished();
  EXPECT_GE(out.size(), 100u - 8u);
  uint64_t previous = 0;
  for (const ConnectionRecord& r : out) {
    EXPECT_EQ(r.end_reason, EndReason::kEvicted);
    EXPECT_EQ(r.client.state, TcpState::kSynSent);
    EXPECT_GT(r.id, 20u) << "an established connection was evicted";
    EXPECT_GT(r.id, previous) << "not oldest first";
    previous = r.id;
  }
}

// Feeds a flood of SYNs plus complete connections through the whole
// analyzer with a tiny table: every connection is accounted for exactly.
TEST(FlowTableEvictionTest, AnalyzerAccountsForEveryConnection) {
  AnalyzerOptions o;
  o.max_connections = 8;
  o.retain_connections = false;
  EXPECT_EQ(Analyzer::EffectiveMaxConnections(o), 8u);
  Analyzer analyzer(o, nullptr);
  absl::Time t = absl::FromUnixSeconds(1000);
  uint64_t n = 0;
  auto feed = [&](const std::vector<uint8_t>& bytes) {
    Frame f;
    f.timestamp = (t += absl::Milliseconds(1));
    f.number = ++n;
    f.wire_length = static_cast<uint32_t>(bytes.size());
    f.bytes = absl::MakeConstSpan(bytes);
    analyzer.OnFrame(f);
  };
  for (int i = 0; i < 50; ++i) {
    const std::string src = absl::StrCat("198.18.", 128 + i / 200, ".", i % 200);
    feed(PacketBuilder().Ipv4(src, "198.18.0.2").Tcp(1024 + i, 80)
             .Seq(i).Flags(kSyn).Bytes());
    if (i % 10 == 0) {  // a complete handshake now and then
      const uint16_t port = static_cast<uint16_t>(40000 + i);
      feed(PacketBuilder().Ipv4("198.18.0.1", "198.18.0.2").Tcp(port, 80)
               .Seq(7).Flags(kSyn).Bytes());
      feed(PacketBuilder().Ipv4("198.18.0.2", "198.18.0.1").Tcp(80, port)
               .Seq(9).Ack(8).Flags(kSyn | kAck).Bytes());
      feed(PacketBuilder().Ipv4("198.18.0.1", "198.18.0.2").Tcp(port, 80)
               .Seq(8).Ack(10).Flags(kAck).Bytes());
    }
  }
  const AnalysisResult r = analyzer.Finish();
  const CaptureSummary& s = r.summary;
  EXPECT_EQ(s.connections, 55u);
  EXPECT_GT(s.connections_evicted, 0u);
  EXPECT_EQ(s.connections,
            s.connections_finished + s.connections_evicted +
                s.connections_open_at_end);
  EXPECT_EQ(s.max_connections, 8u);
}

TEST(FlowTableEvictionTest, MemoryCapBoundsTheTable) {
  AnalyzerOptions o;
  o.max_connections = size_t{1} << 30;
  o.max_memory_bytes = 1 << 20;
  EXPECT_EQ(Analyzer::EffectiveMaxConnections(o),
            (1u << 20) / FlowTableBytesPerConnection());
  EXPECT_LT(Analyzer::EffectiveMaxConnections(o), 2000u);
  EXPECT_GT(Analyzer::EffectiveMaxConnections(o), 100u);
}

// The defaults hold a busy server's million connections: the memory cap is
// sized from the per-connection cost, so the connection cap is what binds.
TEST(FlowTableCapsTest, DefaultsHoldAMillionConnections) {
  const AnalyzerOptions defaults;
  EXPECT_EQ(Analyzer::EffectiveMaxConnections(defaults),
            defaults.max_connections);
  EXPECT_GE(defaults.max_connections, 1000000u);
  // And a smaller memory cap still binds.
  AnalyzerOptions small = defaults;
  small.max_memory_bytes = uint64_t{128} << 20;
  EXPECT_LT(Analyzer::EffectiveMaxConnections(small), 200000u);
}

}  // namespace
}  // namespace tcpstate
