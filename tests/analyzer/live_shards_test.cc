#include "analyzer/live_shards.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analyzer.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kPsh = TcpFlags::kPsh;

struct Stored {
  absl::Time t;
  bool from_client;
  std::vector<uint8_t> bytes;
};

// Connections from `count` client ports: handshake, data, the client
// closes; odd ones stay open. IPv4 or IPv6.
std::vector<Stored> Traffic(bool v6, int count) {
  const std::string c = v6 ? "2001:db8::1" : "198.18.0.1";
  const std::string s = v6 ? "2001:db8::2" : "198.18.0.2";
  absl::Time t = absl::FromUnixSeconds(1763730000);
  std::vector<Stored> out;
  auto send = [&](bool from_client, uint16_t port, uint16_t flags,
                  uint32_t seq, uint32_t ack, size_t len) {
    t += absl::Microseconds(50);
    PacketBuilder b;
    if (v6) {
      b.Ipv6(from_client ? c : s, from_client ? s : c);
    } else {
      b.Ipv4(from_client ? c : s, from_client ? s : c);
    }
    b.Tcp(from_client ? port : 80, from_client ? 80 : port)
        .Seq(seq)
        .Ack(ack)
        .Flags(flags)
        .PayloadSize(len);
    out.push_back(Stored{t, from_client, b.Bytes()});
  };
  for (int i = 0; i < count; ++i) {
    const uint16_t p = static_cast<uint16_t>(41000 + i);
    send(true, p, kSyn, 100, 0, 0);
    send(false, p, kSyn | kAck, 900, 101, 0);
    send(true, p, kAck, 101, 901, 0);
    send(true, p, kPsh | kAck, 101, 901, 10);
    send(false, p, kAck, 901, 111, 0);
    if (i % 2 == 0) {
      send(true, p, kFin | kAck, 111, 901, 0);
      send(false, p, kFin | kAck, 901, 112, 0);
      send(true, p, kAck, 112, 902, 0);
    }
  }
  return out;
}

Frame FrameOf(const Stored& s, uint64_t n) {
  Frame f;
  f.timestamp = s.t;
  f.number = n;
  f.wire_length = static_cast<uint32_t>(s.bytes.size());
  f.bytes = absl::MakeConstSpan(s.bytes);
  return f;
}

// By client port: live ids follow the order the workers created them in.
std::string States(const AnalysisResult& r) {
  std::vector<std::string> lines;
  for (const ConnectionRecord& c : r.connections) {
    lines.push_back(std::to_string(c.client.port) + " " +
                    TcpStateName(c.client.state) + "/" +
                    TcpStateName(c.server.state) + " " + c.history + "\n");
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) {
    out += line;
  }
  return out;
}

class LiveShardsTest : public testing::TestWithParam<bool> {};

// The two directions of every flow come through two different sockets, the
// server's first (a socket read later may hold earlier packets): the
// workers hand the segments over and analyse them in capture-time order,
// so the states are those of one table reading the capture in order.
TEST_P(LiveShardsTest, DirectionsOnTwoSocketsStillInOrder) {
  const std::vector<Stored> traffic = Traffic(GetParam(), 12);
  AnalyzerOptions options;
  options.live = true;
  Analyzer single(options, nullptr);
  uint64_t n = 0;
  for (const Stored& s : traffic) {
    single.OnFrame(FrameOf(s, ++n));
  }
  const absl::Time end = traffic.back().t + absl::Seconds(1);
  single.AdvanceTime(end);
  const std::string want = States(single.Finish());

  LiveShards shards(options, 2, nullptr);
  n = 0;
  for (bool client : {false, true}) {
    for (const Stored& s : traffic) {
      if (s.from_client == client) {
        shards.OnFrame(client ? 0 : 1, FrameOf(s, ++n));
      }
    }
  }
  for (size_t w = 0; w < 2; ++w) {
    shards.Poll(w, traffic.front().t);  // too early: nothing analysed yet
  }
  EXPECT_EQ(shards.Snapshot(traffic.front().t, 10).created, 0u);
  for (size_t w = 0; w < 2; ++w) {
    shards.Poll(w, end);
  }
  EXPECT_GT(shards.wrong_shard(), 0u);
  EXPECT_EQ(shards.Snapshot(end, 10).open, 12u);  // TIME_WAIT is open
  EXPECT_EQ(States(shards.Finish(end)), want);
}

INSTANTIATE_TEST_SUITE_P(Families, LiveShardsTest,
                         testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? "Ipv6" : "Ipv4";
                         });

ConnectionRef Ref(uint64_t id) {
  ConnectionRef r;
  r.id = id;
  return r;
}

TEST(LiveShardsMergeTest, SnapshotsAndSummaries) {
  LiveSnapshot a, b;
  a.open = 2;
  a.created = 5;
  a.pairs = {{TcpState::kEstablished, TcpState::kEstablished, 2}};
  a.lingering = {{Ref(1), true, absl::Seconds(3), false}};
  a.lingering_total = 1;
  b.open = 3;
  b.created = 4;
  b.pairs = {{TcpState::kEstablished, TcpState::kEstablished, 1},
             {TcpState::kFinWait2, TcpState::kCloseWait, 2}};
  b.lingering = {{Ref(2), false, absl::Seconds(9), true},
                 {Ref(3), true, absl::Seconds(1), false}};
  b.lingering_total = 2;
  const LiveSnapshot m = MergeSnapshots({a, b}, 2);
  EXPECT_EQ(m.open, 5u);
  EXPECT_EQ(m.created, 9u);
  ASSERT_EQ(m.pairs.size(), 2u);
  EXPECT_EQ(m.pairs[0].count, 3u);  // ESTABLISHED pairs summed, first
  EXPECT_EQ(m.lingering_total, 3u);
  ASSERT_EQ(m.lingering.size(), 2u);  // capped, oldest first
  EXPECT_EQ(m.lingering[0].connection.id, 2u);
  EXPECT_EQ(m.lingering[1].connection.id, 1u);

  CaptureSummary x, y;
  x.packets = 3;
  x.first_packet_time = absl::FromUnixSeconds(20);
  x.last_packet_time = absl::FromUnixSeconds(30);
  x.decode.values[0] = 1;
  y.packets = 4;
  y.first_packet_time = absl::FromUnixSeconds(10);
  y.last_packet_time = absl::FromUnixSeconds(25);
  y.decode.values[0] = 2;
  AddCaptureSummary(x, y);
  EXPECT_EQ(x.packets, 7u);
  EXPECT_EQ(*x.first_packet_time, absl::FromUnixSeconds(10));
  EXPECT_EQ(*x.last_packet_time, absl::FromUnixSeconds(30));
  EXPECT_EQ(x.decode.values[0], 3u);
}

}  // namespace
}  // namespace tcpstate
