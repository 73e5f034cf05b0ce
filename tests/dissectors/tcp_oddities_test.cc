#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/tcp.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

// Decodes `builder`'s frame; the segment must still come out (these are
// counted oddities, not malformations).
std::string CountersOf(const PacketBuilder& builder) {
  DecodeCounters counters;
  const std::vector<uint8_t> bytes = builder.Bytes();
  const DecodedPacket d = Decode(LinkType::kEthernet, bytes, counters);
  EXPECT_EQ(d.outcome, DecodeOutcome::kTcp) << NonZeroCounters(counters);
  return NonZeroCounters(counters);
}

PacketBuilder Segment(uint16_t flags) {
  PacketBuilder b;
  b.Tcp(40000, 80).Flags(flags);
  return b;
}

TEST(TcpOddities, OrdinarySegmentsCountNothing) {
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn).Mss(1460).WindowScale(14)),
            "");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn | TcpFlags::kAck).Mss(536)),
            "");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kFin | TcpFlags::kAck)), "");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kRst)), "");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kFin | TcpFlags::kPsh |
                               TcpFlags::kAck)),
            "");
}

TEST(TcpOddities, MssOnNonSyn) {
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kAck).Mss(1460)),
            "tcp_mss_on_non_syn=1");
}

TEST(TcpOddities, WindowScaleAbove14) {
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn).WindowScale(15)),
            "tcp_window_scale_too_large=1");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn).WindowScale(255)),
            "tcp_window_scale_too_large=1");
}

TEST(TcpOddities, FlagCombinations) {
  EXPECT_EQ(CountersOf(Segment(0)), "tcp_null_flags=1");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn | TcpFlags::kRst)),
            "tcp_syn_rst=1");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn | TcpFlags::kFin)),
            "tcp_syn_fin=1");
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kFin | TcpFlags::kPsh |
                               TcpFlags::kUrg)),
            "tcp_xmas_flags=1");
}

TEST(TcpOddities, AtMostOneFlagCounterPerSegment) {
  // SYN+RST+FIN is counted once, as SYN+RST; a "Christmas tree" with every
  // flag set is counted once too.
  EXPECT_EQ(CountersOf(Segment(TcpFlags::kSyn | TcpFlags::kRst |
                               TcpFlags::kFin)),
            "tcp_syn_rst=1");
  EXPECT_EQ(CountersOf(Segment(0x1FF)), "tcp_syn_rst=1");
}

TEST(TcpOddities, IndependentOfOtherCounters) {
  // MSS on a non-SYN and a NULL-flag segment are two separate counters.
  EXPECT_EQ(CountersOf(Segment(0).Mss(1460)),
            "tcp_mss_on_non_syn=1 tcp_null_flags=1");
}

// FillTcpFields and CountTcpProblems are what Decode() runs on a parsed
// header (the TCP fuzz target calls them directly).
TEST(TcpFields, FillAndCountMatchDecode) {
  PacketBuilder b;
  b.Tcp(0, 443).Seq(123456).Ack(654321).Flags(TcpFlags::kAck).Mss(1400)
      .Payload("hello");
  const std::vector<uint8_t> frame = b.Bytes();
  DecodeCounters decode_counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, decode_counters);
  ASSERT_TRUE(d.segment.has_value());

  constexpr size_t kTcpStart = 14 + 20;  // Ethernet, IPv4 without options
  const absl::Span<const uint8_t> tcp_bytes =
      absl::MakeConstSpan(frame).subspan(kTcpStart);
  const ParseResult<TcpView> parsed = TcpView::Parse(
      tcp_bytes, static_cast<uint32_t>(tcp_bytes.size()),
      SegmentExtent::kComplete);
  ASSERT_TRUE(parsed.ok());
  TcpSegment seg;
  FillTcpFields(parsed.view(), seg);
  EXPECT_EQ(seg.src_port, 0);
  EXPECT_EQ(seg.dst_port, 443);
  EXPECT_EQ(seg.seq, d.segment->seq);
  EXPECT_EQ(seg.ack, d.segment->ack);
  EXPECT_EQ(seg.payload_len, 5u);
  EXPECT_EQ(seg.options.mss, d.segment->options.mss);
  DecodeCounters counters;
  CountTcpProblems(parsed.view(), seg, counters);
  EXPECT_EQ(NonZeroCounters(counters),
            "tcp_zero_port=1 tcp_mss_on_non_syn=1");
  EXPECT_EQ(NonZeroCounters(decode_counters),
            "tcp_zero_port=1 tcp_mss_on_non_syn=1");
}

}  // namespace
}  // namespace tcpstate
