// Per-connection memory: a connection opened and closed in full keeps each
// endpoint's event list in the Connection itself, without a heap block (a
// smaller inline capacity once cost two allocations and about 1 KiB per
// connection, 74 MiB on the benchmark capture).
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/connection.h"
#include "analyzer/flow_key.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kPsh = TcpFlags::kPsh;

struct Step {
  bool from_client;
  uint16_t flags;
  uint32_t seq;
  uint32_t ack;
  uint32_t len;
};

class ConnectionMemoryTest : public ::testing::TestWithParam<bool> {
 protected:
  // Feeds `steps` one millisecond apart to a new connection and
  // re-evaluates it one second after the last.
  void Run(const std::vector<Step>& steps) {
    peers_.client = GetParam() ? IpAddress::FromBytes(kClient6)
                               : IpAddress::V4(0xC6120001);
    peers_.server = GetParam() ? IpAddress::FromBytes(kServer6)
                               : IpAddress::V4(0xC6120002);
    const TcpSegment first =
        MakeSegment(peers_, true, steps[0].flags, steps[0].seq, 0, 0, 1);
    bool from_low = false;
    const FlowKey key = FlowKey::Of(first, &from_low);
    conn_ = std::make_unique<Connection>(1, key, from_low,
                                         RoleRule::kSynSenderIsClient, false,
                                         options_);
    uint64_t packet = 0;
    for (const Step& s : steps) {
      ++packet;
      now_ = absl::FromUnixMillis(1700000000000 + packet);
      conn_->OnSegment(MakeSegment(peers_, s.from_client, s.flags, s.seq,
                                   s.ack, s.len, static_cast<uint16_t>(packet)),
                       s.from_client, SegmentContext{packet, now_});
    }
    conn_->Refresh(now_ + absl::Seconds(1));
  }

  static constexpr uint8_t kClient6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                           0,    0,    0,    0,    0, 0, 0, 1};
  static constexpr uint8_t kServer6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                           0,    0,    0,    0,    0, 0, 0, 2};
  TestPeers peers_;
  ConnectionOptions options_;
  absl::Time now_;
  std::unique_ptr<Connection> conn_;
};

constexpr uint32_t kC = 1000, kS = 5000;  // ISNs

struct Case {
  const char* name;
  std::vector<Step> steps;
  TcpState client, server;  // states one second after the last step
  size_t min_client_events;
  bool heap;  // whether the events need a heap block (RSTs only)
};

TEST_P(ConnectionMemoryTest, OpenAndCloseKeepEventsInline) {
  const Case cases[] = {
      {"full open and close",
       {{true, kSyn, kC, 0, 0},
        {false, kSyn | kAck, kS, kC + 1, 0},
        {true, kAck, kC + 1, kS + 1, 0},
        {true, kAck | kPsh, kC + 1, kS + 1, 100},
        {false, kAck | kPsh, kS + 1, kC + 101, 300},
        {true, kFin | kAck, kC + 101, kS + 301, 0},
        {false, kAck, kS + 301, kC + 102, 0},
        {false, kFin | kAck, kS + 301, kC + 102, 0},
        {true, kAck, kC + 102, kS + 302, 0}},
       TcpState::kTimeWait,
       TcpState::kClosed,
       7,
       false},
      {"simultaneous close",
       {{true, kSyn, kC, 0, 0},
        {false, kSyn | kAck, kS, kC + 1, 0},
        {true, kAck, kC + 1, kS + 1, 0},
        {true, kFin | kAck, kC + 1, kS + 1, 0},
        {false, kFin | kAck, kS + 1, kC + 1, 0},
        {true, kAck, kC + 2, kS + 2, 0},
        {false, kAck, kS + 2, kC + 2, 0}},
       TcpState::kTimeWait,
       TcpState::kTimeWait,
       0,
       false},
      {"reset by the client",
       {{true, kSyn, kC, 0, 0},
        {false, kSyn | kAck, kS, kC + 1, 0},
        {true, kAck, kC + 1, kS + 1, 0},
        {true, TcpFlags::kRst, kC + 1, 0, 0}},
       TcpState::kClosed,
       TcpState::kClosed,
       4,
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Run(c.steps);
    ASSERT_EQ(conn_->client_state(), c.client);
    ASSERT_EQ(conn_->server_state(), c.server);
    EXPECT_GE(conn_->client().events.size(), c.min_client_events);
    EXPECT_EQ(conn_->client().events.heap_bytes() > 0, c.heap);
    EXPECT_EQ(conn_->server().events.heap_bytes() > 0, c.heap);
  }
}

// The size of one open connection, pinned so that it cannot creep back up.
// Lower the pin whenever the connection shrinks (issue 14 aims at 512 bytes
// with the flow table's share); never raise it without a stated reason.
// Raised from 904 by issue 18: round trips through the connection, a
// 104-byte RttTracker per side (6 in-flight segments and the running
// statistics), so that every connection's data RTT is measured.
TEST(ConnectionSizeTest, PinnedSoItCannotCreepBack) {
  constexpr size_t kPinnedBytes = 1112;
  EXPECT_LE(sizeof(Connection), kPinnedBytes);
}

INSTANTIATE_TEST_SUITE_P(IpVersions, ConnectionMemoryTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Ipv6" : "Ipv4";
                         });

}  // namespace
}  // namespace tcpstate
