// Expiry sweeps look only at the connections that are due, yet write each
// out at the first sweep after its timer, whatever else the table holds.
#include <vector>

#include "absl/time/time.h"
#include "analyzer/flow_table.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin;

class FlowTableSweepTest : public ::testing::TestWithParam<bool> {
 protected:
  TestPeers Peers(uint16_t client_port) const {
    TestPeers p;
    p.client = GetParam() ? IpAddress::FromBytes(kClient6)
                          : IpAddress::V4(0xC6120001);
    p.server = GetParam() ? IpAddress::FromBytes(kServer6)
                          : IpAddress::V4(0xC6120002);
    p.client_port = client_port;
    return p;
  }
  void Send(const TestPeers& p, bool from_client, uint16_t flags, uint32_t seq,
            uint32_t ack) {
    ++packet_;
    table_.Expire(t_);  // as the analyzer does before every segment
    table_.OnSegment(MakeSegment(p, from_client, flags, seq, ack, 0,
                                 static_cast<uint16_t>(packet_)),
                     SegmentContext{packet_, t_});
  }
  void Handshake(const TestPeers& p) {
    Send(p, true, kSyn, 100, 0);
    Send(p, false, kSyn | kAck, 500, 101);
    Send(p, true, kAck, 101, 501);
  }

  static constexpr uint8_t kClient6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                           0,    0,    0,    0,    0, 0, 0, 1};
  static constexpr uint8_t kServer6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                           0,    0,    0,    0,    0, 0, 0, 2};
  FlowTable table_{FlowTableOptions{}};
  uint64_t packet_ = 0;
  absl::Time t_ = absl::FromUnixSeconds(1763730000) + absl::Milliseconds(1);
};

TEST_P(FlowTableSweepTest, ClosedConnectionIsWrittenAtTheSweepAfterItsTimer) {
  // A long-lived connection is filed first (its idle timeout is hours
  // away); a second one closes with the client in TIME_WAIT.
  const TestPeers idle = Peers(40000);
  const TestPeers closing = Peers(40001);
  Handshake(idle);
  Handshake(closing);
  Send(closing, true, kFin | kAck, 101, 501);
  Send(closing, false, kFin | kAck, 501, 102);
  Send(closing, true, kAck, 102, 502);
  const absl::Time closed = t_;
  // The idle connection keeps the capture going, a packet every 5 s.
  while (t_ < closed + absl::Seconds(55)) {
    t_ += absl::Seconds(5);
    Send(idle, true, kAck, 101, 501);
  }
  EXPECT_TRUE(table_.TakeFinished().empty());
  // TIME_WAIT (60 s) runs out, then both endpoints are CLOSED for the
  // linger (10 s): written out at the next sweep.
  while (t_ < closed + absl::Seconds(76)) {
    t_ += absl::Seconds(5);
    Send(idle, true, kAck, 101, 501);
  }
  const std::vector<ConnectionRecord> done = table_.TakeFinished();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].client.port, 40001);
  EXPECT_EQ(done[0].client.state, TcpState::kClosed);
  EXPECT_EQ(done[0].end_reason, EndReason::kTimeWaitExpired);
}

INSTANTIATE_TEST_SUITE_P(IpVersions, FlowTableSweepTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Ipv6" : "Ipv4";
                         });

}  // namespace
}  // namespace tcpstate
