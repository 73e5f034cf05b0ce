#include "dissectors/ipv4.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dissectors/decode.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

TEST(Ipv4ViewTest, Fields) {
  const std::vector<uint8_t> ip = PacketBuilder()
                                      .Ipv4("1.2.3.4", "5.6.7.8")
                                      .Ttl(9)
                                      .IpId(0xABCD)
                                      .PayloadSize(10)
                                      .IpBytes();
  const ParseResult<Ipv4View> r = Ipv4View::Parse(ip);
  ASSERT_TRUE(r.ok());
  const Ipv4View& v = r.view();
  EXPECT_EQ(v.header_length(), 20u);
  EXPECT_EQ(v.total_length(), 50u);
  EXPECT_EQ(v.payload_length(), 30u);
  EXPECT_EQ(v.payload().size(), 30u);
  EXPECT_FALSE(v.truncated());
  EXPECT_EQ(v.identification(), 0xABCD);
  EXPECT_EQ(v.ttl(), 9);
  EXPECT_EQ(v.protocol(), IpProtocol::kTcp);
  EXPECT_TRUE(v.dont_fragment());
  EXPECT_FALSE(v.is_fragment());
  EXPECT_EQ(v.source()[0], 1);
  EXPECT_EQ(v.destination()[3], 8);
  EXPECT_FALSE(v.options_malformed());
}

TEST(Ipv4ViewTest, OptionsAndFragmentFields) {
  const std::vector<uint8_t> ip = PacketBuilder()
                                      .Ipv4Options({1, 7, 7, 4, 0, 0, 0, 0})
                                      .Ipv4Fragment(1480, true)
                                      .IpBytes();
  const ParseResult<Ipv4View> r = Ipv4View::Parse(ip);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().header_length(), 28u);
  EXPECT_EQ(r.view().options().size(), 8u);
  EXPECT_FALSE(r.view().options_malformed());
  EXPECT_EQ(r.view().fragment_offset(), 1480u);
  EXPECT_TRUE(r.view().more_fragments());
  EXPECT_TRUE(r.view().is_fragment());
}

TEST(Ipv4ViewTest, SnaplenCutIsTruncationNotMalformation) {
  std::vector<uint8_t> ip = PacketBuilder().PayloadSize(100).IpBytes();
  ip.resize(60);
  const ParseResult<Ipv4View> r = Ipv4View::Parse(ip);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().total_length(), 140u);
  EXPECT_EQ(r.view().payload().size(), 40u);
  EXPECT_TRUE(r.view().truncated());
}

struct Ipv4Case {
  std::string name;
  std::function<void(PacketBuilder&)> shape;
  DecodeOutcome outcome;
  std::string counters;
  uint32_t payload_len;  // checked when outcome is kTcp
};

class Ipv4DecodeTest : public testing::TestWithParam<Ipv4Case> {};

TEST_P(Ipv4DecodeTest, OutcomeAndCounters) {
  const Ipv4Case& c = GetParam();
  PacketBuilder b;
  b.PayloadSize(100);
  c.shape(b);
  const std::vector<uint8_t> frame = b.Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  EXPECT_EQ(d.outcome, c.outcome);
  EXPECT_EQ(NonZeroCounters(counters), c.counters);
  EXPECT_EQ(d.segment.has_value(), c.outcome == DecodeOutcome::kTcp);
  if (d.segment.has_value()) {
    EXPECT_EQ(d.segment->payload_len, c.payload_len);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Ipv4DecodeTest,
    testing::Values(
        Ipv4Case{"HeaderLengthBelowFive",
                 [](PacketBuilder& b) { b.Ipv4HeaderWords(4); },
                 DecodeOutcome::kMalformed, "ipv4_bad_header_length=1", 0},
        Ipv4Case{"HeaderLengthPastCapture",
                 [](PacketBuilder& b) { b.PayloadSize(0).Ipv4HeaderWords(15).Ipv4TotalLength(60); },
                 DecodeOutcome::kMalformed, "ipv4_truncated=1", 0},
        Ipv4Case{"TotalLengthBelowHeader",
                 [](PacketBuilder& b) { b.Ipv4TotalLength(19); },
                 DecodeOutcome::kMalformed, "ipv4_bad_total_length=1", 0},
        Ipv4Case{"TotalLengthZeroIsTso",
                 [](PacketBuilder& b) { b.Ipv4TotalLength(0); },
                 DecodeOutcome::kTcp, "ipv4_zero_total_length=1", 100},
        Ipv4Case{"TotalLengthTooShortForTcp",
                 [](PacketBuilder& b) { b.Ipv4TotalLength(30); },
                 DecodeOutcome::kMalformed, "tcp_segment_too_short=1", 0},
        Ipv4Case{"TotalLengthLongerThanCapture",
                 [](PacketBuilder& b) { b.Ipv4TotalLength(200); },
                 DecodeOutcome::kTcp,
                 "tcp_payload_truncated=1 tcp_checksum_unverified=1", 160},
        Ipv4Case{"WellFormedOptions",
                 [](PacketBuilder& b) {
                   b.Ipv4Options({1, 0x94, 4, 0, 0});  // NOP, router alert
                 },
                 DecodeOutcome::kTcp, "", 100},
        Ipv4Case{"OptionLengthOne",
                 [](PacketBuilder& b) { b.Ipv4Options({7, 1, 0, 0}); },
                 DecodeOutcome::kTcp, "ipv4_options_malformed=1", 100},
        Ipv4Case{"OptionOverrunsHeader",
                 [](PacketBuilder& b) { b.Ipv4Options({7, 9, 0, 0}); },
                 DecodeOutcome::kTcp, "ipv4_options_malformed=1", 100},
        Ipv4Case{"NonFirstFragment",
                 [](PacketBuilder& b) { b.Ipv4Fragment(1480, true); },
                 DecodeOutcome::kSkipped, "ipv4_non_first_fragment=1", 0},
        Ipv4Case{"LastFragment",
                 [](PacketBuilder& b) { b.Ipv4Fragment(8, false); },
                 DecodeOutcome::kSkipped, "ipv4_non_first_fragment=1", 0},
        Ipv4Case{"FirstFragment",
                 [](PacketBuilder& b) { b.Ipv4Fragment(0, true); },
                 DecodeOutcome::kTcp,
                 "ipv4_first_fragment=1 tcp_checksum_unverified=1", 100},
        Ipv4Case{"FirstFragmentCutInTcpHeader",
                 [](PacketBuilder& b) {
                   b.Ipv4Fragment(0, true).Ipv4TotalLength(32);
                 },
                 DecodeOutcome::kMalformed,
                 "ipv4_first_fragment=1 tcp_truncated=1", 0},
        Ipv4Case{"DataOffsetBelowFive",
                 [](PacketBuilder& b) { b.DataOffsetWords(4); },
                 DecodeOutcome::kMalformed, "tcp_bad_data_offset=1", 0},
        Ipv4Case{"DataOffsetPastSegment",
                 [](PacketBuilder& b) { b.PayloadSize(0).DataOffsetWords(15); },
                 DecodeOutcome::kMalformed, "tcp_bad_data_offset=1", 0}),
    [](const auto& info) { return info.param.name; });

TEST(Ipv4DecodeTest, FirstFragmentIsMarked) {
  const std::vector<uint8_t> frame =
      PacketBuilder().Ipv4Fragment(0, true).PayloadSize(64).Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  ASSERT_TRUE(d.segment.has_value());
  EXPECT_TRUE(d.segment->first_fragment);
  EXPECT_EQ(d.segment->checksum, ChecksumStatus::kUnverified);
}

TEST(Ipv4DecodeTest, TsoSuperSegmentUsesCapturedLength) {
  // A 30000-byte "segment" as a host-side capture of GSO shows it.
  const std::vector<uint8_t> frame =
      PacketBuilder().PayloadSize(30000).Ipv4TotalLength(0).Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  ASSERT_TRUE(d.segment.has_value());
  EXPECT_EQ(d.segment->payload_len, 30000u);
  EXPECT_EQ(d.segment->ip_total_len, 30040u);
  EXPECT_EQ(d.segment->checksum, ChecksumStatus::kGood);
}

}  // namespace
}  // namespace tcpstate
