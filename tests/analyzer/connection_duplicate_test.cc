// The same packet captured twice (SPAN ports, "-i any") is a duplicate, not
// a retransmission. With IP ID 0 (Linux SYN-ACKs, DF packets of some
// stacks) only a copy within 5 ms, with nothing from the peer in between,
// is one; a copy stamped slightly before its original still is.
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/connection.h"
#include "analyzer/flow_key.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kPsh = TcpFlags::kPsh;

struct Copy {
  const char* name;
  uint16_t ip_id;
  int64_t delay_us;          // of the copy after the original
  bool peer_in_between;      // the server sends before the copy
  uint64_t duplicates;       // client packets counted as duplicates
};

class DuplicateTest : public ::testing::TestWithParam<Copy> {};

TEST_P(DuplicateTest, CopyOfADataSegment) {
  const Copy& c = GetParam();
  TestPeers peers{IpAddress::V4(0xC6120001), IpAddress::V4(0xC6120002)};
  bool from_low = false;
  const FlowKey key = FlowKey::Of(MakeSegment(peers, true, kSyn, 100, 0, 0, 1),
                                  &from_low);
  ConnectionOptions options;
  Connection conn(1, key, from_low, RoleRule::kSynSenderIsClient, false,
                  options);
  absl::Time t = absl::FromUnixSeconds(1700000000);
  uint64_t packet = 0;
  auto send = [&](bool from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                  uint32_t len, uint16_t ip_id, uint32_t tsval) {
    TcpSegment seg = MakeSegment(peers, from_client, flags, seq, ack, len, 1);
    seg.ip_id = ip_id;
    seg.options.timestamps = TcpTimestamps{tsval, 0};
    conn.OnSegment(seg, from_client, SegmentContext{++packet, t});
  };
  send(true, kSyn, 100, 0, 0, 1, 1000);
  t += absl::Milliseconds(1);
  send(false, kSyn | kAck, 500, 101, 0, 0, 9000);
  t += absl::Milliseconds(1);
  send(true, kAck, 101, 501, 0, 2, 1001);
  t += absl::Milliseconds(1);
  send(true, kAck | kPsh, 101, 501, 100, c.ip_id, 1002);  // the original
  if (c.peer_in_between) {
    send(false, kAck, 501, 201, 0, 0, 9001);
  }
  t += absl::Microseconds(c.delay_us);
  send(true, kAck | kPsh, 101, 501, 100, c.ip_id, 1002);  // the copy
  EXPECT_EQ(conn.client().rare().duplicates, c.duplicates);
}

INSTANTIATE_TEST_SUITE_P(
    Copies, DuplicateTest,
    ::testing::Values(Copy{"IpIdSoon", 7, 10, false, 1},
                      Copy{"IpIdLaterStill", 7, 2000000, false, 1},
                      Copy{"IpId0Soon", 0, 10, false, 1},
                      Copy{"IpId0At5ms", 0, 5000, false, 1},
                      Copy{"IpId0After5ms", 0, 5001, false, 0},
                      Copy{"IpId0StampedBefore", 0, -50, false, 1},
                      Copy{"IpId0PeerInBetween", 0, 10, true, 0},
                      Copy{"IpId0SecondLater", 0, 1000000, false, 0},
                      Copy{"IpId0TenSecondsLater", 0, 10000000, false, 0}),
    [](const ::testing::TestParamInfo<Copy>& info) { return info.param.name; });

}  // namespace
}  // namespace tcpstate
