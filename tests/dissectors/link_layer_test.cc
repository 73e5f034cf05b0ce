#include <cstdint>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/ethernet.h"
#include "dissectors/linux_sll.h"
#include "dissectors/loopback.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

TEST(EthernetViewTest, PlainFrame) {
  const std::vector<uint8_t> frame = PacketBuilder().Bytes();
  const ParseResult<EthernetView> r = EthernetView::Parse(frame);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().ether_type(), EtherType::kIpv4);
  EXPECT_EQ(r.view().network(), NetworkProtocol::kIpv4);
  EXPECT_EQ(r.view().vlans().tag_count(), 0u);
  EXPECT_EQ(r.view().payload().size(), frame.size() - 14);
  EXPECT_EQ(r.view().source()[5], 0x01);
  EXPECT_EQ(r.view().destination()[5], 0x02);
}

TEST(EthernetViewTest, StackedTagsOutermostFirst) {
  const std::vector<uint8_t> frame = PacketBuilder()
                                         .Ipv6("::1", "::2")
                                         .Vlan(100, EtherType::kQinQ)
                                         .Vlan(200, EtherType::kVlan)
                                         .Vlan(4095, EtherType::kQinQOld1)
                                         .Bytes();
  const ParseResult<EthernetView> r = EthernetView::Parse(frame);
  ASSERT_TRUE(r.ok());
  const VlanStack& vlans = r.view().vlans();
  ASSERT_EQ(vlans.tag_count(), 3u);
  EXPECT_EQ(vlans.vlan_id(0), 100);
  EXPECT_EQ(vlans.tpid(0), EtherType::kQinQ);
  EXPECT_EQ(vlans.vlan_id(1), 200);
  EXPECT_EQ(vlans.tpid(1), EtherType::kVlan);
  EXPECT_EQ(vlans.vlan_id(2), 4095);
  EXPECT_EQ(r.view().network(), NetworkProtocol::kIpv6);
  EXPECT_EQ(r.view().payload().size(), frame.size() - 14 - 12);
}

TEST(EthernetViewTest, TagCapAndTruncation) {
  PacketBuilder at_cap;
  PacketBuilder over_cap;
  for (size_t i = 0; i < VlanStack::kMaxTags; ++i) {
    at_cap.Vlan(static_cast<uint16_t>(i + 1));
    over_cap.Vlan(static_cast<uint16_t>(i + 1));
  }
  over_cap.Vlan(99);
  EXPECT_TRUE(EthernetView::Parse(at_cap.Bytes()).ok());
  const ParseResult<EthernetView> over = EthernetView::Parse(over_cap.Bytes());
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error(), DecodeError::kVlanTooManyTags);

  std::vector<uint8_t> cut = PacketBuilder().Vlan(7).Bytes();
  cut.resize(16);  // inside the tag
  const ParseResult<EthernetView> r = EthernetView::Parse(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), DecodeError::kVlanTruncated);
}

TEST(EthernetViewTest, ShortFrameIsLinkTruncated) {
  const std::vector<uint8_t> frame(13, 0);
  const ParseResult<EthernetView> r = EthernetView::Parse(frame);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), DecodeError::kLinkTruncated);
}

TEST(SllViewTest, FieldsAndReinsertedVlan) {
  const std::vector<uint8_t> frame =
      PacketBuilder().Link(LinkType::kLinuxSll).Vlan(42).Bytes();
  const ParseResult<SllView> r = SllView::Parse(frame);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().arphrd_type(), 1);
  EXPECT_EQ(r.view().packet_type(), 0);
  EXPECT_EQ(r.view().vlans().tag_count(), 1u);
  EXPECT_EQ(r.view().vlans().vlan_id(0), 42);
  EXPECT_EQ(r.view().protocol(), EtherType::kIpv4);
  EXPECT_EQ(r.view().network(), NetworkProtocol::kIpv4);
  EXPECT_EQ(r.view().payload().size(), frame.size() - 16 - 4);
}

TEST(SllViewTest, NetlinkIsNeverIp) {
  std::vector<uint8_t> frame = PacketBuilder().Link(LinkType::kLinuxSll).Bytes();
  frame[2] = kArphrdNetlink >> 8;
  frame[3] = kArphrdNetlink & 0xFF;
  const ParseResult<SllView> r = SllView::Parse(frame);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().network(), NetworkProtocol::kOther);
}

TEST(Sll2ViewTest, Fields) {
  const std::vector<uint8_t> frame = PacketBuilder()
                                         .Link(LinkType::kLinuxSll2)
                                         .Ipv6("::1", "::2")
                                         .Bytes();
  const ParseResult<Sll2View> r = Sll2View::Parse(frame);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().interface_index(), 1u);
  EXPECT_EQ(r.view().arphrd_type(), 1);
  EXPECT_EQ(r.view().network(), NetworkProtocol::kIpv6);
  EXPECT_EQ(r.view().payload().size(), frame.size() - 20);
}

TEST(SllViewTest, EveryShortPrefixIsLinkTruncated) {
  const std::vector<uint8_t> v1 =
      PacketBuilder().Link(LinkType::kLinuxSll).Bytes();
  const std::vector<uint8_t> v2 =
      PacketBuilder().Link(LinkType::kLinuxSll2).Bytes();
  for (size_t n = 0; n < SllView::kHeaderSize; ++n) {
    const std::vector<uint8_t> cut(v1.begin(), v1.begin() + n);
    EXPECT_EQ(SllView::Parse(cut).error(), DecodeError::kLinkTruncated) << n;
  }
  for (size_t n = 0; n < Sll2View::kHeaderSize; ++n) {
    const std::vector<uint8_t> cut(v2.begin(), v2.begin() + n);
    EXPECT_EQ(Sll2View::Parse(cut).error(), DecodeError::kLinkTruncated) << n;
  }
}

struct FamilyCase {
  uint32_t family;
  NetworkProtocol expected;
};

class NullFamilyTest : public testing::TestWithParam<FamilyCase> {};

TEST_P(NullFamilyTest, EitherByteOrderForNullNetworkOrderForLoop) {
  const FamilyCase& c = GetParam();
  for (const bool big_endian : {false, true}) {
    const std::vector<uint8_t> frame = PacketBuilder()
                                           .Link(LinkType::kNull)
                                           .LoopbackFamily(c.family, big_endian)
                                           .Bytes();
    const ParseResult<NullView> r = NullView::Parse(frame);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.view().network(), c.expected) << c.family << big_endian;
    EXPECT_EQ(r.view().payload().size(), frame.size() - 4);
  }
  const std::vector<uint8_t> loop =
      PacketBuilder().Link(LinkType::kLoop).LoopbackFamily(c.family).Bytes();
  const ParseResult<LoopView> r = LoopView::Parse(loop);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.view().family(), c.family);
  EXPECT_EQ(r.view().network(), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Families, NullFamilyTest,
    testing::Values(FamilyCase{2, NetworkProtocol::kIpv4},
                    FamilyCase{10, NetworkProtocol::kIpv6},
                    FamilyCase{24, NetworkProtocol::kIpv6},
                    FamilyCase{28, NetworkProtocol::kIpv6},
                    FamilyCase{30, NetworkProtocol::kIpv6},
                    FamilyCase{7, NetworkProtocol::kOther},
                    FamilyCase{0, NetworkProtocol::kOther}));

TEST(NullViewTest, ShortHeaderIsLinkTruncated) {
  const std::vector<uint8_t> three = {2, 0, 0};
  EXPECT_EQ(NullView::Parse(three).error(), DecodeError::kLinkTruncated);
  EXPECT_EQ(LoopView::Parse(three).error(), DecodeError::kLinkTruncated);
}

// An Ethernet frame carrying `ip` behind EtherType `type` and `shim` bytes.
std::vector<uint8_t> Shimmed(const PacketBuilder& ip, uint16_t type,
                             const std::vector<uint8_t>& shim) {
  std::vector<uint8_t> frame = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1,
                                static_cast<uint8_t>(type >> 8),
                                static_cast<uint8_t>(type)};
  frame.insert(frame.end(), shim.begin(), shim.end());
  const std::vector<uint8_t> packet = ip.IpBytes();
  frame.insert(frame.end(), packet.begin(), packet.end());
  return frame;
}

struct ShimCase {
  std::string name;
  bool v6;
  uint16_t type;
  std::vector<uint8_t> shim;
  DecodeOutcome outcome;
  std::string counters;
  uint32_t payload_len = 5;  // TCP payload bytes decoded
};

class ShimTest : public testing::TestWithParam<ShimCase> {};

TEST_P(ShimTest, PppoeAndMplsReachTheIpPacket) {
  const ShimCase& c = GetParam();
  PacketBuilder b;
  if (c.v6) {
    b.Ipv6("2001:db8::1", "2001:db8::2");
  }
  const std::vector<uint8_t> frame = Shimmed(b.PayloadSize(5), c.type, c.shim);
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  EXPECT_EQ(d.outcome, c.outcome);
  EXPECT_EQ(NonZeroCounters(counters), c.counters);
  if (d.segment.has_value()) {
    EXPECT_EQ(d.segment->payload_len, c.payload_len);
    EXPECT_LE(d.segment->payload.size(), c.payload_len);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shims, ShimTest,
    testing::Values(
        ShimCase{"PppoeV4", false, EtherType::kPppoeSession,
                 {0x11, 0, 0x12, 0x34, 0, 47, 0x00, 0x21},
                 DecodeOutcome::kTcp, ""},
        ShimCase{"PppoeV6", true, EtherType::kPppoeSession,
                 {0x11, 0, 0x12, 0x34, 0, 67, 0x00, 0x57},
                 DecodeOutcome::kTcp, ""},
        // The PPPoE length wins over a longer IP length (the rest is
        // padding); a capture cut before the declared end changes nothing.
        ShimCase{"PppoeShorterThanIpV4", false, EtherType::kPppoeSession,
                 {0x11, 0, 0x12, 0x34, 0, 42, 0x00, 0x21},
                 DecodeOutcome::kTcp,
                 "tcp_checksum_unverified=1 ip_length_over_pppoe=1", 0},
        ShimCase{"PppoeShorterThanIpV6", true, EtherType::kPppoeSession,
                 {0x11, 0, 0x12, 0x34, 0, 64, 0x00, 0x57},
                 DecodeOutcome::kTcp,
                 "tcp_checksum_unverified=1 ip_length_over_pppoe=1", 2},
        ShimCase{"PppoeLongerThanCapture", false, EtherType::kPppoeSession,
                 {0x11, 0, 0x12, 0x34, 0x05, 0xdc, 0x00, 0x21},
                 DecodeOutcome::kTcp, ""},
        ShimCase{"PppoeLcp", false, EtherType::kPppoeSession,
                 {0x11, 0, 0x12, 0x34, 0, 47, 0xc0, 0x21},
                 DecodeOutcome::kSkipped, "non_ip=1"},
        ShimCase{"OneMplsLabel", false, EtherType::kMplsUnicast,
                 {0, 0x01, 0x01, 0x40}, DecodeOutcome::kTcp, ""},
        ShimCase{"TwoMplsLabelsV6", true, EtherType::kMplsUnicast,
                 {0, 0x01, 0x00, 0x40, 0, 0x02, 0x01, 0x40},
                 DecodeOutcome::kTcp, ""},
        ShimCase{"MplsNoBottomOfStack", false, EtherType::kMplsUnicast,
                 std::vector<uint8_t>(36, 0), DecodeOutcome::kMalformed,
                 "mpls_too_many_labels=1"}),
    [](const auto& info) { return info.param.name; });

TEST(ShimTest, TruncatedShims) {
  const std::vector<uint8_t> pppoe = {0x02, 0, 0, 0, 0, 2, 0x02, 0,
                                      0,    0, 0, 1, 0x88, 0x64, 0x11, 0};
  DecodeCounters counters;
  EXPECT_EQ(Decode(LinkType::kEthernet, pppoe, counters).outcome,
            DecodeOutcome::kMalformed);
  const std::vector<uint8_t> mpls = {0x02, 0, 0, 0, 0, 2,    0x02, 0, 0,
                                     0,    0, 1, 0x88, 0x47, 0,    1, 1};
  EXPECT_EQ(Decode(LinkType::kEthernet, mpls, counters).outcome,
            DecodeOutcome::kMalformed);
  EXPECT_EQ(NonZeroCounters(counters), "pppoe_truncated=1 mpls_truncated=1");
}

}  // namespace
}  // namespace tcpstate
