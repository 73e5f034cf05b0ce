#include "dissectors/fddi.h"

#include <cstdint>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/link_type.h"
#include "gtest/gtest.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

TEST(FddiViewTest, SnapCarriesIpv4AndIpv6) {
  for (const bool v6 : {false, true}) {
    PacketBuilder b;
    b.Link(LinkType::kFddi);
    if (v6) {
      b.Ipv6("2001:db8::1", "2001:db8::2");
    }
    const std::vector<uint8_t> frame = b.Bytes();
    const ParseResult<FddiView> r = FddiView::Parse(frame);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.view().frame_control(), 0x50);
    EXPECT_TRUE(r.view().is_snap());
    EXPECT_EQ(r.view().network(),
              v6 ? NetworkProtocol::kIpv6 : NetworkProtocol::kIpv4);
    EXPECT_EQ(r.view().payload().size(),
              frame.size() - FddiView::kHeaderSize - FddiView::kSnapHeaderSize);
  }
}

TEST(FddiViewTest, PlainLlcIsNotIp) {
  std::vector<uint8_t> frame = PacketBuilder().Link(LinkType::kFddi).Bytes();
  frame[13] = 0x42;  // DSAP: spanning tree, not SNAP
  frame[14] = 0x42;
  const ParseResult<FddiView> r = FddiView::Parse(frame);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.view().is_snap());
  EXPECT_EQ(r.view().network(), NetworkProtocol::kOther);
  DecodeCounters counters;
  EXPECT_EQ(Decode(LinkType::kFddi, frame, counters).outcome,
            DecodeOutcome::kSkipped);
  EXPECT_EQ(counters.Get(DecodeCounter::kNonIp), 1u);
}

TEST(FddiViewTest, EveryTruncatedHeaderIsLinkTruncated) {
  const std::vector<uint8_t> frame =
      PacketBuilder().Link(LinkType::kFddi).Bytes();
  const size_t header = FddiView::kHeaderSize + FddiView::kSnapHeaderSize;
  for (size_t n = 0; n < header; ++n) {
    const std::vector<uint8_t> cut(frame.begin(), frame.begin() + n);
    const ParseResult<FddiView> r = FddiView::Parse(cut);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error(), DecodeError::kLinkTruncated) << n;
  }
}

TEST(FddiViewTest, DecodesTcpSegment) {
  const std::vector<uint8_t> frame = PacketBuilder()
                                         .Link(LinkType::kFddi)
                                         .Tcp(2035, 80)
                                         .Flags(TcpFlags::kRst)
                                         .Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kFddi, frame, counters);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
  ASSERT_TRUE(d.segment.has_value());
  EXPECT_EQ(d.segment->src_port, 2035);
  EXPECT_EQ(d.segment->dst_port, 80);
  EXPECT_TRUE(d.segment->flags.rst());
}

}  // namespace
}  // namespace tcpstate
