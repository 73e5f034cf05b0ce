#include "dissectors/decode.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

enum class Family { kV4, kV6 };

PacketBuilder Addressed(Family family) {
  PacketBuilder b;
  if (family == Family::kV6) {
    b.Ipv6("2001:db8::1", "2001:db8::2");
  } else {
    b.Ipv4("192.0.2.1", "198.51.100.2");
  }
  return b;
}

// A SYN-ACK with every common option and some payload, on `link`.
PacketBuilder RichSegment(Family family, LinkType link) {
  PacketBuilder b = Addressed(family);
  b.Link(link)
      .Tcp(443, 51000)
      .Seq(0xFFFFFFF0u)
      .Ack(0x01020304u)
      .Flags(TcpFlags::kSyn | TcpFlags::kAck | TcpFlags::kEce)
      .Window(29200)
      .Urgent(7)
      .Ttl(57)
      .IpId(0xBEEF)
      .Mss(1460)
      .SackPermitted()
      .Timestamps(111, 222)
      .Nop()
      .WindowScale(7)
      .Payload("hello, world");
  return b;
}

struct LinkCase {
  std::string name;
  LinkType link;
  int vlan_tags;
  bool big_endian_null;
};

using ParityParam = std::tuple<LinkCase, Family>;

class DecodeParityTest : public testing::TestWithParam<ParityParam> {};

TEST_P(DecodeParityTest, DecodesEveryField) {
  const auto& [lc, family] = GetParam();
  PacketBuilder b = RichSegment(family, lc.link);
  if (lc.vlan_tags >= 1) {
    b.Vlan(100, 0x88A8);
  }
  if (lc.vlan_tags >= 2) {
    b.Vlan(200);
  }
  if (lc.big_endian_null) {
    b.LoopbackFamily(family == Family::kV6 ? 30 : 2, /*big_endian=*/true);
  }
  const std::vector<uint8_t> frame = b.Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(lc.link, frame, counters);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp) << NonZeroCounters(counters);
  ASSERT_TRUE(d.segment.has_value());
  const TcpSegment& s = *d.segment;
  EXPECT_EQ(NonZeroCounters(counters), "");
  const bool v6 = family == Family::kV6;
  EXPECT_EQ(s.src.ToString(), v6 ? "2001:db8::1" : "192.0.2.1");
  EXPECT_EQ(s.dst.ToString(), v6 ? "2001:db8::2" : "198.51.100.2");
  EXPECT_EQ(s.src_port, 443);
  EXPECT_EQ(s.dst_port, 51000);
  EXPECT_EQ(s.seq, SeqNum(0xFFFFFFF0u));
  EXPECT_EQ(s.ack, SeqNum(0x01020304u));
  EXPECT_TRUE(s.flags.syn());
  EXPECT_TRUE(s.flags.ack());
  EXPECT_FALSE(s.flags.fin());
  EXPECT_EQ(s.flags.bits, TcpFlags::kSyn | TcpFlags::kAck | TcpFlags::kEce);
  EXPECT_EQ(s.window, 29200);
  EXPECT_EQ(s.urgent_pointer, 7);
  EXPECT_EQ(s.options.mss, 1460);
  EXPECT_EQ(s.options.window_scale, 7);
  EXPECT_TRUE(s.options.sack_permitted);
  ASSERT_TRUE(s.options.timestamps.has_value());
  EXPECT_EQ(s.options.timestamps->value, 111u);
  EXPECT_EQ(s.options.timestamps->echo_reply, 222u);
  EXPECT_FALSE(s.options.malformed);
  EXPECT_FALSE(s.options.truncated);
  EXPECT_EQ(s.payload_len, 12u);
  EXPECT_EQ(std::string(s.payload.begin(), s.payload.end()), "hello, world");
  // 20 TCP + 20 options + 12 payload, plus the IP header.
  EXPECT_EQ(s.ip_total_len, (v6 ? 40u : 20u) + 52u);
  EXPECT_EQ(s.ip_id, v6 ? 0 : 0xBEEF);
  EXPECT_EQ(s.ttl, 57);
  EXPECT_EQ(s.checksum, ChecksumStatus::kGood);
  EXPECT_FALSE(s.first_fragment);
}

std::vector<LinkCase> AllLinks() {
  return {
      {"Ethernet", LinkType::kEthernet, 0, false},
      {"Vlan", LinkType::kEthernet, 1, false},
      {"QinQ", LinkType::kEthernet, 2, false},
      {"Sll", LinkType::kLinuxSll, 0, false},
      {"SllVlan", LinkType::kLinuxSll, 1, false},
      {"Sll2", LinkType::kLinuxSll2, 0, false},
      {"NullLittleEndian", LinkType::kNull, 0, false},
      {"NullBigEndian", LinkType::kNull, 0, true},
      {"Loop", LinkType::kLoop, 0, false},
      {"Raw", LinkType::kRaw, 0, false},
  };
}

INSTANTIATE_TEST_SUITE_P(
    LinksAndFamilies, DecodeParityTest,
    testing::Combine(testing::ValuesIn(AllLinks()),
                     testing::Values(Family::kV4, Family::kV6)),
    [](const testing::TestParamInfo<ParityParam>& info) {
      return std::get<0>(info.param).name +
             (std::get<1>(info.param) == Family::kV6 ? "_v6" : "_v4");
    });

TEST(DecodeTest, IpOnlyLinkTypes) {
  for (const Family family : {Family::kV4, Family::kV6}) {
    const LinkType link =
        family == Family::kV6 ? LinkType::kIpv6 : LinkType::kIpv4;
    const std::vector<uint8_t> frame =
        RichSegment(family, link).Bytes();
    DecodeCounters counters;
    const DecodedPacket d = Decode(link, frame, counters);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
    EXPECT_EQ(d.segment->checksum, ChecksumStatus::kGood);
    EXPECT_EQ(NonZeroCounters(counters), "");
  }
}

struct ChecksumCase {
  std::string name;
  PacketBuilder::Checksum mode;
  ChecksumStatus expected;
  std::string counters;
};

class ChecksumTest
    : public testing::TestWithParam<std::tuple<ChecksumCase, Family>> {};

TEST_P(ChecksumTest, ClassifiesAndStillReturnsSegment) {
  const auto& [c, family] = GetParam();
  for (const size_t payload : {0, 1, 2, 3, 1400}) {  // odd and even lengths
    const std::vector<uint8_t> frame = Addressed(family)
                                           .PayloadSize(payload)
                                           .TcpChecksum(c.mode)
                                           .Bytes();
    DecodeCounters counters;
    const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
    EXPECT_EQ(d.segment->checksum, c.expected) << payload;
    EXPECT_EQ(d.segment->payload_len, payload);
    EXPECT_EQ(NonZeroCounters(counters), c.counters) << payload;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ChecksumTest,
    testing::Combine(
        testing::Values(
            ChecksumCase{"Good", PacketBuilder::Checksum::kCorrect,
                         ChecksumStatus::kGood, ""},
            ChecksumCase{"Bad", PacketBuilder::Checksum::kCorrupt,
                         ChecksumStatus::kBad, "tcp_bad_checksum=1"},
            ChecksumCase{"Offloaded", PacketBuilder::Checksum::kOffloaded,
                         ChecksumStatus::kOffloaded,
                         "tcp_checksum_offloaded=1"},
            ChecksumCase{"OffloadedComplement",
                         PacketBuilder::Checksum::kOffloadedComplement,
                         ChecksumStatus::kOffloaded,
                         "tcp_checksum_offloaded=1"}),
        testing::Values(Family::kV4, Family::kV6)),
    [](const auto& info) {
      return std::get<0>(info.param).name +
             (std::get<1>(info.param) == Family::kV6 ? "_v6" : "_v4");
    });

TEST(DecodeTest, EthernetPaddingIsIgnored) {
  for (const Family family : {Family::kV4, Family::kV6}) {
    const std::vector<uint8_t> frame =
        Addressed(family).Flags(TcpFlags::kAck).PadTo(90).Bytes();
    DecodeCounters counters;
    const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
    EXPECT_EQ(d.segment->payload_len, 0u);
    EXPECT_TRUE(d.segment->payload.empty());
    EXPECT_EQ(d.segment->checksum, ChecksumStatus::kGood);
    EXPECT_EQ(NonZeroCounters(counters), "");
  }
}

TEST(DecodeTest, ZeroPortIsCountedButDecoded) {
  for (const Family family : {Family::kV4, Family::kV6}) {
    const std::vector<uint8_t> frame = Addressed(family).Tcp(0, 80).Bytes();
    DecodeCounters counters;
    const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
    EXPECT_EQ(d.segment->src_port, 0);
    EXPECT_EQ(NonZeroCounters(counters), "tcp_zero_port=1");
  }
}

struct SkipCase {
  std::string name;
  LinkType link;
  PacketBuilder builder;
  DecodeOutcome outcome;
  std::string counters;
};

class SkipTest : public testing::TestWithParam<SkipCase> {};

TEST_P(SkipTest, CountsExactlyOne) {
  const SkipCase& c = GetParam();
  PacketBuilder builder = c.builder;
  const std::vector<uint8_t> frame = builder.Link(c.link).Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(c.link, frame, counters);
  EXPECT_EQ(d.outcome, c.outcome);
  EXPECT_FALSE(d.segment.has_value());
  EXPECT_EQ(NonZeroCounters(counters), c.counters);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SkipTest,
    testing::Values(
        SkipCase{"Arp", LinkType::kEthernet, PacketBuilder().EtherType(0x0806),
                 DecodeOutcome::kSkipped, "non_ip=1"},
        SkipCase{"Ieee8023Length", LinkType::kEthernet,
                 PacketBuilder().EtherType(0x05DC), DecodeOutcome::kSkipped,
                 "non_ip=1"},
        SkipCase{"VlanArp", LinkType::kEthernet,
                 PacketBuilder().Vlan(5).EtherType(0x0806),
                 DecodeOutcome::kSkipped, "non_ip=1"},
        SkipCase{"SllArp", LinkType::kLinuxSll,
                 PacketBuilder().EtherType(0x0806), DecodeOutcome::kSkipped,
                 "non_ip=1"},
        SkipCase{"Sll2Arp", LinkType::kLinuxSll2,
                 PacketBuilder().EtherType(0x0806), DecodeOutcome::kSkipped,
                 "non_ip=1"},
        SkipCase{"Udp", LinkType::kEthernet, PacketBuilder().IpProtocol(17),
                 DecodeOutcome::kSkipped, "not_tcp=1"},
        SkipCase{"UdpV6", LinkType::kEthernet,
                 PacketBuilder().Ipv6("::1", "::2").IpProtocol(17),
                 DecodeOutcome::kSkipped, "not_tcp=1"},
        SkipCase{"RawVersion5", LinkType::kRaw,
                 PacketBuilder().Ipv4Version(5), DecodeOutcome::kSkipped,
                 "non_ip=1"},
        SkipCase{"NullUnknownFamily", LinkType::kNull,
                 PacketBuilder().LoopbackFamily(17), DecodeOutcome::kSkipped,
                 "null_unknown_family=1"},
        SkipCase{"LoopWrongByteOrder", LinkType::kLoop,
                 PacketBuilder().LoopbackFamily(0x02000000),
                 DecodeOutcome::kSkipped, "null_unknown_family=1"},
        SkipCase{"Ipv4LinkBadVersion", LinkType::kIpv4,
                 PacketBuilder().Ipv6("::1", "::2"),
                 DecodeOutcome::kMalformed, "ipv4_bad_version=1"},
        SkipCase{"Ipv6LinkBadVersion", LinkType::kIpv6, PacketBuilder(),
                 DecodeOutcome::kMalformed, "ipv6_bad_version=1"},
        SkipCase{"EthernetTypeSaysV6ButV4", LinkType::kEthernet,
                 PacketBuilder().EtherType(0x86DD), DecodeOutcome::kMalformed,
                 "ipv6_bad_version=1"}),
    [](const auto& info) { return info.param.name; });

TEST(DecodeTest, EmptyFrameOnEveryLinkIsMalformedNotACrash) {
  for (const LinkType link :
       {LinkType::kEthernet, LinkType::kLinuxSll, LinkType::kLinuxSll2,
        LinkType::kNull, LinkType::kLoop, LinkType::kRaw, LinkType::kIpv4,
        LinkType::kIpv6}) {
    DecodeCounters counters;
    const DecodedPacket d = Decode(link, {}, counters);
    EXPECT_EQ(d.outcome, DecodeOutcome::kMalformed) << LinkTypeName(link);
    uint64_t total = 0;
    for (const uint64_t v : counters.values) {
      total += v;
    }
    EXPECT_EQ(total, 1u) << LinkTypeName(link);
  }
}

}  // namespace
}  // namespace tcpstate
