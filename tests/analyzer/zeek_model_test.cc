// Zeek's log-scaled history letters: a repeated event is written at its
// 1st, 10th, 100th, 1000th... occurrence (Zeek's conn.log history).
#include <algorithm>
#include <cstdint>
#include <string>

#include "analyzer/zeek_model.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck;

struct ScaledCase {
  int retransmissions;
  int letters;  // 'T' letters (originator) written for them
};

class ZeekScaledLettersTest : public ::testing::TestWithParam<ScaledCase> {};

TEST_P(ZeekScaledLettersTest, RetransmissionsAtPowersOfTen) {
  TestPeers peers{IpAddress::V4(0xC6120001), IpAddress::V4(0xC6120002)};
  ZeekModel zeek;
  ZeekSegmentFacts none;
  zeek.OnSegment(MakeSegment(peers, true, kSyn, 100, 0, 0, 1), true, none);
  zeek.OnSegment(MakeSegment(peers, false, kSyn | kAck, 500, 101, 0, 1),
                 false, none);
  zeek.OnSegment(MakeSegment(peers, true, kAck, 101, 501, 10, 2), true, none);
  ZeekSegmentFacts retransmission;
  retransmission.is_retransmission = true;
  for (int i = 0; i < GetParam().retransmissions; ++i) {
    zeek.OnSegment(MakeSegment(peers, true, kAck, 101, 501, 10, 3), true,
                   retransmission);
  }
  const std::string h(zeek.history());
  EXPECT_EQ(std::count(h.begin(), h.end(), 'T'), GetParam().letters) << h;
}

INSTANTIATE_TEST_SUITE_P(Counts, ZeekScaledLettersTest,
                         ::testing::Values(ScaledCase{0, 0}, ScaledCase{1, 1},
                                           ScaledCase{9, 1}, ScaledCase{10, 2},
                                           ScaledCase{99, 2},
                                           ScaledCase{100, 3},
                                           ScaledCase{1000, 4}));

}  // namespace
}  // namespace tcpstate
