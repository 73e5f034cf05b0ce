#include "dissectors/ipv6.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/ip_address.h"
#include "dissectors/ipv4.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

PacketBuilder V6() {
  PacketBuilder b;
  b.Ipv6("2001:db8::a", "2001:db8::b").PayloadSize(100);
  return b;
}

TEST(Ipv6ViewTest, WalksChainToTcp) {
  const std::vector<uint8_t> ip = V6()
                                      .Ttl(33)
                                      .Ipv6Extension(IpProtocol::kHopByHop)
                                      .Ipv6Extension(
                                          IpProtocol::kDestinationOptions,
                                          std::vector<uint8_t>(14, 1))
                                      .Ipv6Extension(IpProtocol::kAh,
                                                     std::vector<uint8_t>(14))
                                      .IpBytes();
  const ParseResult<Ipv6View> r = Ipv6View::Parse(ip);
  ASSERT_TRUE(r.ok());
  const Ipv6View& v = r.view();
  EXPECT_EQ(v.extension_header_count(), 3u);
  EXPECT_EQ(v.extension_headers_length(), 8u + 16u + 16u);
  EXPECT_EQ(v.upper_protocol(), IpProtocol::kTcp);
  EXPECT_EQ(v.upper_length(), 120u);
  EXPECT_EQ(v.upper_payload().size(), 120u);
  EXPECT_EQ(v.hop_limit(), 33);
  EXPECT_FALSE(v.is_fragment());
  EXPECT_FALSE(v.truncated());
  EXPECT_EQ(IpAddress::FromBytes(v.final_destination()).ToString(),
            "2001:db8::b");
}

TEST(Ipv6ViewTest, RoutingHeaderNamesFinalDestination) {
  struct Case {
    uint8_t type;
    uint8_t segments_left;
    std::string expected;
  };
  const std::vector<std::string> list = {"2001:db8::c", "2001:db8::d"};
  for (const Case& c : {Case{0, 2, "2001:db8::d"}, Case{2, 1, "2001:db8::d"},
                        Case{4, 1, "2001:db8::c"}, Case{0, 0, "2001:db8::b"},
                        Case{3, 1, "2001:db8::b"}}) {
    const std::vector<uint8_t> ip =
        V6().Ipv6Routing(c.type, c.segments_left, list).IpBytes();
    const ParseResult<Ipv6View> r = Ipv6View::Parse(ip);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(IpAddress::FromBytes(r.view().final_destination()).ToString(),
              c.expected)
        << int{c.type};
  }
}

struct Ipv6Case {
  std::string name;
  std::function<void(PacketBuilder&)> shape;
  DecodeOutcome outcome;
  std::string counters;
  uint32_t payload_len;  // checked when outcome is kTcp
};

class Ipv6DecodeTest : public testing::TestWithParam<Ipv6Case> {};

TEST_P(Ipv6DecodeTest, OutcomeAndCounters) {
  const Ipv6Case& c = GetParam();
  PacketBuilder b = V6();
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

PacketBuilder& ManyDestinationOptions(PacketBuilder& b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    b.Ipv6Extension(IpProtocol::kDestinationOptions);
  }
  return b;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Ipv6DecodeTest,
    testing::Values(
        Ipv6Case{"NoExtensions", [](PacketBuilder&) {}, DecodeOutcome::kTcp,
                 "", 100},
        Ipv6Case{"HopByHopThenTcp",
                 [](PacketBuilder& b) {
                   b.Ipv6Extension(IpProtocol::kHopByHop);
                 },
                 DecodeOutcome::kTcp, "", 100},
        Ipv6Case{"RoutingChecksumUsesFinalDestination",
                 [](PacketBuilder& b) {
                   b.Ipv6Routing(2, 1, {"2001:db8::99"});
                 },
                 DecodeOutcome::kTcp, "", 100},
        Ipv6Case{"AtomicFragment",
                 [](PacketBuilder& b) { b.Ipv6Fragment(0, false); },
                 DecodeOutcome::kTcp, "", 100},
        Ipv6Case{"FirstFragment",
                 [](PacketBuilder& b) { b.Ipv6Fragment(0, true); },
                 DecodeOutcome::kTcp,
                 "ipv6_first_fragment=1 tcp_checksum_unverified=1", 100},
        Ipv6Case{"NonFirstFragment",
                 [](PacketBuilder& b) {
                   b.Ipv6Extension(IpProtocol::kHopByHop)
                       .Ipv6Fragment(1232, true);
                 },
                 DecodeOutcome::kSkipped, "ipv6_non_first_fragment=1", 0},
        Ipv6Case{"AtCap",
                 [](PacketBuilder& b) {
                   ManyDestinationOptions(b, Ipv6View::kMaxExtensionHeaders);
                 },
                 DecodeOutcome::kTcp, "", 100},
        Ipv6Case{"TooManyHeaders",
                 [](PacketBuilder& b) {
                   ManyDestinationOptions(b,
                                          Ipv6View::kMaxExtensionHeaders + 1);
                 },
                 DecodeOutcome::kMalformed, "ipv6_too_many_ext_headers=1", 0},
        Ipv6Case{"ExtensionPastPayloadLength",
                 [](PacketBuilder& b) {
                   b.Ipv6Extension(IpProtocol::kHopByHop).Ipv6PayloadLength(4);
                 },
                 DecodeOutcome::kMalformed, "ipv6_bad_payload_length=1", 0},
        Ipv6Case{"CutAfterExtensionsIsPayloadTruncation",
                 [](PacketBuilder& b) {
                   b.PayloadSize(0)
                       .Ipv6Extension(IpProtocol::kDestinationOptions,
                                      std::vector<uint8_t>(200))
                       .Ipv6PayloadLength(400);  // 208 ext + 20 TCP + 172
                 },
                 DecodeOutcome::kTcp,
                 "tcp_payload_truncated=1 tcp_checksum_unverified=1", 172},
        Ipv6Case{"Esp",
                 [](PacketBuilder& b) { b.IpProtocol(IpProtocol::kEsp); },
                 DecodeOutcome::kSkipped, "not_tcp=1", 0},
        Ipv6Case{"NoNextHeader",
                 [](PacketBuilder& b) {
                   b.Ipv6Extension(IpProtocol::kHopByHop)
                       .IpProtocol(IpProtocol::kNoNextHeader);
                 },
                 DecodeOutcome::kSkipped, "not_tcp=1", 0},
        Ipv6Case{"PayloadLengthZeroIsJumboOrGso",
                 [](PacketBuilder& b) { b.Ipv6PayloadLength(0); },
                 DecodeOutcome::kTcp, "ipv6_zero_payload_length=1", 100},
        Ipv6Case{"PayloadLengthTooShortForTcp",
                 [](PacketBuilder& b) { b.Ipv6PayloadLength(12); },
                 DecodeOutcome::kMalformed, "tcp_segment_too_short=1", 0},
        Ipv6Case{"PayloadLengthLongerThanCapture",
                 [](PacketBuilder& b) { b.Ipv6PayloadLength(1000); },
                 DecodeOutcome::kTcp,
                 "tcp_payload_truncated=1 tcp_checksum_unverified=1", 980}),
    [](const auto& info) { return info.param.name; });

TEST(Ipv6DecodeTest, ExtensionHeaderCutBySnaplen) {
  std::vector<uint8_t> frame =
      V6().Ipv6Extension(IpProtocol::kDestinationOptions,
                         std::vector<uint8_t>(30))
          .Bytes();
  frame.resize(14 + 40 + 20);  // inside the 32-byte options header
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  EXPECT_EQ(d.outcome, DecodeOutcome::kMalformed);
  EXPECT_EQ(NonZeroCounters(counters), "ipv6_ext_header_truncated=1");
}

TEST(Ipv6DecodeTest, FirstFragmentIsMarked) {
  const std::vector<uint8_t> frame = V6().Ipv6Fragment(0, true).Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  ASSERT_TRUE(d.segment.has_value());
  EXPECT_TRUE(d.segment->first_fragment);
  EXPECT_EQ(d.segment->ip_id, 0);
}

}  // namespace
}  // namespace tcpstate
