// IP fragments as Decode reports them (DecodeOptions::report_fragments) and
// reassembled datagrams as DecodeReassembled decodes them.

#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/ip_address.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/fragments.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr DecodeOptions kReport{true};

std::string Text(absl::Span<const uint8_t> address) {
  return IpAddress::FromBytes(address).ToString();
}

// A 200-byte data segment, whole; IPv6 with a fragment header (id 77)
// after a routing header naming the final destination 2001:db8::99.
PacketBuilder Segment(bool ipv6) {
  PacketBuilder b;
  b.Link(LinkType::kRaw);
  if (ipv6) {
    b.Ipv6("2001:db8::1", "2001:db8::2")
        .Ipv6Routing(0, 1, {"2001:db8::99"})
        .Ipv6Fragment(0, false, 77);
  } else {
    b.Ipv4("192.0.2.1", "198.51.100.2").IpId(0xBEEF);
  }
  b.Ttl(57).Tcp(40000, 80).Seq(1000).Flags(TcpFlags::kAck | TcpFlags::kPsh);
  b.PayloadSize(200);
  return b;
}

// The datagram of `first` (a reported first fragment) with `payload`.
ReassembledDatagram Datagram(const IpFragment& first, const Bytes& payload) {
  ReassembledDatagram d;
  d.family = first.family;
  d.src = first.src;
  d.dst = first.dst;
  d.pseudo_dst = first.pseudo_dst;
  d.protocol = first.protocol;
  d.header_length = first.header_length;
  d.ip_id = first.ip_id;
  d.ttl = first.ttl;
  d.tunnel_depth = first.tunnel_depth;
  d.payload = payload;
  return d;
}

class FragmentViewTest : public testing::TestWithParam<bool> {};

TEST_P(FragmentViewTest, ReportsEveryFragmentWithItsData) {
  const bool ipv6 = GetParam();
  const PacketBuilder b = Segment(ipv6);
  const Bytes tcp = b.TcpBytes();
  const std::vector<Bytes> frags = SplitIntoFragments(b, ipv6, 96);
  ASSERT_EQ(frags.size(), 3u);  // 220 bytes of TCP: 96 + 96 + 28
  for (size_t i = 0; i < frags.size(); ++i) {
    DecodeCounters counters;
    const DecodedPacket d =
        Decode(LinkType::kRaw, frags[i], counters, kReport);
    ASSERT_EQ(d.outcome, DecodeOutcome::kFragment) << i;
    ASSERT_TRUE(d.fragment.has_value());
    EXPECT_FALSE(d.segment.has_value());
    const IpFragment& f = *d.fragment;
    EXPECT_EQ(f.family, ipv6 ? IpFamily::kIpv6 : IpFamily::kIpv4);
    EXPECT_EQ(Text(f.src), ipv6 ? "2001:db8::1" : "192.0.2.1");
    EXPECT_EQ(Text(f.dst), ipv6 ? "2001:db8::2" : "198.51.100.2");
    EXPECT_EQ(f.identification, ipv6 ? 77u : 0xBEEFu);
    EXPECT_EQ(f.protocol, 6);
    EXPECT_EQ(f.offset, 96 * i);
    EXPECT_EQ(f.more_fragments, i + 1 < frags.size());
    EXPECT_EQ(Bytes(f.data.begin(), f.data.end()),
              Bytes(tcp.begin() + 96 * i,
                    tcp.begin() + std::min<size_t>(tcp.size(), 96 * (i + 1))));
    // 24 bytes of routing header are unfragmentable.
    EXPECT_EQ(f.max_end, ipv6 ? 65535u - 24 : 65535u - 20);
    EXPECT_EQ(f.tunnel_depth, 0);
    const std::string counter = i == 0 ? "first_fragment=1"
                                       : "non_first_fragment=1";
    EXPECT_EQ(NonZeroCounters(counters),
              (ipv6 ? "ipv6_" : "ipv4_") + counter);
    if (i == 0) {
      EXPECT_EQ(Text(f.pseudo_dst), ipv6 ? "2001:db8::99" : "198.51.100.2");
      EXPECT_EQ(f.header_length, ipv6 ? 40u + 24 : 20u);
      EXPECT_EQ(f.ip_id, ipv6 ? 0 : 0xBEEF);
      EXPECT_EQ(f.ttl, 57);
    }
  }
}

TEST_P(FragmentViewTest, WithoutReportingDecodesAsBefore) {
  const bool ipv6 = GetParam();
  const std::vector<Bytes> frags =
      SplitIntoFragments(Segment(ipv6), ipv6, 96);
  DecodeCounters counters;
  const DecodedPacket first = Decode(LinkType::kRaw, frags[0], counters);
  ASSERT_EQ(first.outcome, DecodeOutcome::kTcp);
  EXPECT_TRUE(first.segment->first_fragment);
  EXPECT_EQ(first.segment->checksum, ChecksumStatus::kUnverified);
  EXPECT_FALSE(first.fragment.has_value());
  const DecodedPacket second = Decode(LinkType::kRaw, frags[1], counters);
  EXPECT_EQ(second.outcome, DecodeOutcome::kSkipped);
  EXPECT_FALSE(second.fragment.has_value());
  const std::string v = ipv6 ? "ipv6_" : "ipv4_";
  EXPECT_EQ(NonZeroCounters(counters),
            ipv6 ? "ipv6_non_first_fragment=1 ipv6_first_fragment=1 "
                   "tcp_checksum_unverified=1"
                 : "ipv4_non_first_fragment=1 ipv4_first_fragment=1 "
                   "tcp_checksum_unverified=1");
}

TEST_P(FragmentViewTest, CutBySnaplenIsNotReported) {
  const bool ipv6 = GetParam();
  std::vector<Bytes> frags = SplitIntoFragments(Segment(ipv6), ipv6, 96);
  frags[1].resize(frags[1].size() - 1);
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kRaw, frags[1], counters, kReport);
  EXPECT_EQ(d.outcome, DecodeOutcome::kSkipped);
  EXPECT_FALSE(d.fragment.has_value());
}

TEST_P(FragmentViewTest, UnfragmentedPacketIsNoFragment) {
  const bool ipv6 = GetParam();
  PacketBuilder b;
  b.Link(LinkType::kRaw);
  if (ipv6) {
    b.Ipv6("2001:db8::1", "2001:db8::2");
  }
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kRaw, b.IpBytes(), counters,
                                 kReport);
  EXPECT_EQ(d.outcome, DecodeOutcome::kTcp);
  EXPECT_FALSE(d.fragment.has_value());
}

TEST_P(FragmentViewTest, ReassembledSegmentIsWholeAndItsChecksumChecked) {
  const bool ipv6 = GetParam();
  const PacketBuilder b = Segment(ipv6);
  const std::vector<Bytes> frags = SplitIntoFragments(b, ipv6, 96);
  DecodeCounters counters;
  const DecodedPacket first = Decode(LinkType::kRaw, frags[0], counters,
                                     kReport);
  ASSERT_TRUE(first.fragment.has_value());
  Bytes payload = b.TcpBytes();
  DecodeCounters after;
  DecodedPacket d = DecodeReassembled(Datagram(*first.fragment, payload),
                                      after);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
  const TcpSegment& s = *d.segment;
  EXPECT_EQ(s.payload_len, 200u);
  EXPECT_EQ(s.payload.size(), 200u);
  EXPECT_EQ(s.seq.value(), 1000u);
  EXPECT_EQ(s.checksum, ChecksumStatus::kGood);
  EXPECT_FALSE(s.first_fragment);
  EXPECT_EQ(s.ttl, 57);
  EXPECT_EQ(s.ip_total_len, (ipv6 ? 64u : 20u) + 220u);
  EXPECT_EQ(s.src.ToString(), ipv6 ? "2001:db8::1" : "192.0.2.1");
  EXPECT_EQ(NonZeroCounters(after), "");
  // One byte changed in the last fragment's share: the checksum over the
  // whole segment catches it.
  payload[210] ^= 0x01;
  d = DecodeReassembled(Datagram(*first.fragment, payload), after);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
  EXPECT_EQ(d.segment->checksum, ChecksumStatus::kBad);
  EXPECT_EQ(NonZeroCounters(after), "tcp_bad_checksum=1");
}

INSTANTIATE_TEST_SUITE_P(Families, FragmentViewTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Ipv6" : "Ipv4";
                         });

TEST(FragmentViewTest, OtherProtocolsAreNotReported) {
  PacketBuilder b;
  b.Link(LinkType::kRaw).IpProtocol(1).PayloadSize(200);  // ICMP
  const std::vector<Bytes> frags = SplitIntoFragments(b, false, 96);
  DecodeCounters counters;
  EXPECT_FALSE(Decode(LinkType::kRaw, frags[0], counters, kReport).fragment);
  EXPECT_FALSE(Decode(LinkType::kRaw, frags[1], counters, kReport).fragment);
}

TEST(FragmentViewTest, Ipv6AtomicFragmentIsDecodedInIsolation) {
  PacketBuilder b;
  b.Link(LinkType::kRaw).Ipv6("2001:db8::1", "2001:db8::2");
  b.Ipv6Fragment(0, false, 9).PayloadSize(20);
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kRaw, b.IpBytes(), counters,
                                 kReport);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
  EXPECT_EQ(d.segment->checksum, ChecksumStatus::kGood);
  EXPECT_FALSE(d.fragment.has_value());
}

TEST(DecodeReassembledTest, FollowsATunnelToTheTcpInside) {
  PacketBuilder inner;
  inner.Link(LinkType::kRaw).Ipv4("10.1.0.1", "10.1.0.2").PayloadSize(50);
  Bytes payload = {0x00, 0x00, 0x08, 0x00};  // GRE version 0, IPv4
  const Bytes ip = inner.IpBytes();
  payload.insert(payload.end(), ip.begin(), ip.end());
  const uint8_t outer_src[] = {203, 0, 113, 1};
  const uint8_t outer_dst[] = {203, 0, 113, 2};
  ReassembledDatagram d;
  d.src = outer_src;
  d.dst = outer_dst;
  d.pseudo_dst = outer_dst;
  d.protocol = 47;  // GRE
  d.header_length = 20;
  d.payload = payload;
  DecodeCounters counters;
  const DecodedPacket out = DecodeReassembled(d, counters);
  ASSERT_EQ(out.outcome, DecodeOutcome::kTcp);
  EXPECT_EQ(out.segment->src.ToString(), "10.1.0.1");
  EXPECT_EQ(out.segment->payload_len, 50u);
  EXPECT_EQ(out.segment->checksum, ChecksumStatus::kGood);
  EXPECT_EQ(NonZeroCounters(counters), "tunnel_decapsulated=1");
}

TEST(DecodeReassembledTest, InnerFragmentComesBackAsAFragment) {
  PacketBuilder inner;
  inner.Link(LinkType::kRaw).Ipv4("10.1.0.1", "10.1.0.2").PayloadSize(200);
  const std::vector<Bytes> frags = SplitIntoFragments(inner, false, 96);
  Bytes payload = {0x00, 0x00, 0x08, 0x00};
  payload.insert(payload.end(), frags[1].begin(), frags[1].end());
  const uint8_t a[] = {203, 0, 113, 1};
  ReassembledDatagram d;
  d.src = a;
  d.dst = a;
  d.pseudo_dst = a;
  d.protocol = 47;
  d.header_length = 20;
  d.payload = payload;
  DecodeCounters counters;
  const DecodedPacket out = DecodeReassembled(d, counters);
  ASSERT_EQ(out.outcome, DecodeOutcome::kFragment);
  EXPECT_EQ(out.fragment->tunnel_depth, 1);
  EXPECT_EQ(out.fragment->offset, 96u);
  EXPECT_EQ(NonZeroCounters(counters), "ipv4_non_first_fragment=1");
}

TEST(DecodeReassembledTest, NeitherTcpNorTunnelIsNotTcp) {
  const Bytes payload(40, 0);
  const uint8_t a[] = {203, 0, 113, 1};
  ReassembledDatagram d;
  d.src = a;
  d.dst = a;
  d.pseudo_dst = a;
  d.protocol = 17;  // UDP, ports 0: no tunnel
  d.payload = payload;
  DecodeCounters counters;
  EXPECT_EQ(DecodeReassembled(d, counters).outcome, DecodeOutcome::kSkipped);
  EXPECT_EQ(NonZeroCounters(counters), "not_tcp=1");
}

}  // namespace
}  // namespace tcpstate
