// Tunnels: each encapsulation built by hand around a PacketBuilder packet,
// then decoded end to end and cut at every length inside its headers.
#include "dissectors/encapsulation.h"

#include <cstdint>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/link_type.h"
#include "gtest/gtest.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

using Bytes = std::vector<uint8_t>;

void Put16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

Bytes Cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// An outer IPv4 header (no checksum needed) around `payload`.
Bytes OuterIpv4(uint8_t protocol, const Bytes& payload) {
  Bytes ip = {0x45, 0, 0,  0, 0, 0, 0,  0, 64, protocol,
              0,    0, 10, 0, 0, 1, 10, 0, 0,  2};
  const size_t total = ip.size() + payload.size();
  ip[2] = static_cast<uint8_t>(total >> 8);
  ip[3] = static_cast<uint8_t>(total);
  return Cat(ip, payload);
}

Bytes Udp(uint16_t src, uint16_t dst, const Bytes& body) {
  Bytes udp;
  Put16(udp, src);
  Put16(udp, dst);
  Put16(udp, static_cast<uint16_t>(8 + body.size()));
  Put16(udp, 0);
  return Cat(udp, body);
}

Bytes InnerIp(bool v6 = false) {
  PacketBuilder b;
  if (v6) {
    b.Ipv6("2001:0:4137:9e50::1", "2001:db8::2");
  }
  return b.Tcp(40000, 80).Seq(7).IpBytes();
}

Bytes InnerEthernet() { return PacketBuilder().Tcp(40000, 80).Seq(7).Bytes(); }

// Decodes `outer` as raw IP and expects the inner TCP segment.
void ExpectInnerTcp(const Bytes& outer) {
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kRaw, outer, counters);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
  EXPECT_EQ(d.segment->dst_port, 80);
  EXPECT_EQ(d.segment->seq, SeqNum(7));
  EXPECT_EQ(counters.Get(DecodeCounter::kTunnelDecapsulated), 1u);
}

TEST(EncapsulationTest, IpInIp) {
  ExpectInnerTcp(OuterIpv4(4, InnerIp()));
  ExpectInnerTcp(OuterIpv4(41, InnerIp(true)));
}

TEST(EncapsulationTest, GreVersion0WithOptionalFields) {
  const Bytes plain = {0x00, 0x00, 0x08, 0x00};
  ExpectInnerTcp(OuterIpv4(47, Cat(plain, InnerIp())));
  // Checksum, key and sequence number present: 12 more bytes.
  Bytes all = {0xB0, 0x00, 0x86, 0xDD};
  all.resize(16, 0);
  ExpectInnerTcp(OuterIpv4(47, Cat(all, InnerIp(true))));
  const Bytes bridged = {0x00, 0x00, 0x65, 0x58};
  ExpectInnerTcp(OuterIpv4(47, Cat(bridged, InnerEthernet())));
}

TEST(EncapsulationTest, GreErspanAndPptp) {
  Bytes erspan2 = {0x10, 0x00, 0x88, 0xBE, 0, 0, 0, 1};  // + sequence
  erspan2.resize(16, 0);                                 // ERSPAN II header
  ExpectInnerTcp(OuterIpv4(47, Cat(erspan2, InnerEthernet())));
  Bytes erspan3 = {0x10, 0x00, 0x22, 0xEB, 0, 0, 0, 1};
  erspan3.resize(20, 0);
  erspan3.back() = 0x01;  // O bit: 8-byte platform subheader follows
  erspan3.resize(28, 0);
  ExpectInnerTcp(OuterIpv4(47, Cat(erspan3, InnerEthernet())));
  const Bytes pptp = {0x30, 0x81, 0x88, 0x0B, 0, 0, 0, 0,  // K, S, A, v1
                      0,    0,    0,    1,    0, 0, 0, 0,
                      0xFF, 0x03, 0x00, 0x21};
  ExpectInnerTcp(OuterIpv4(47, Cat(pptp, InnerIp())));
}

TEST(EncapsulationTest, UdpTunnels) {
  const Bytes vxlan = {0x08, 0, 0, 0, 0, 0, 0x10, 0};
  ExpectInnerTcp(OuterIpv4(17, Udp(50000, 4789, Cat(vxlan, InnerEthernet()))));
  Bytes geneve = {0x02, 0x00, 0x65, 0x58, 0, 0x10, 0x92, 0};  // 2 opt words
  geneve.resize(16, 0);
  ExpectInnerTcp(OuterIpv4(17, Udp(47101, 6081, Cat(geneve, InnerEthernet()))));
  const Bytes gre = {0x00, 0x00, 0x08, 0x00};
  ExpectInnerTcp(OuterIpv4(17, Udp(50000, 4754, Cat(gre, InnerIp()))));
  Bytes ayiya = {0x41, 0x52, 0x11, 41, 0, 0, 0, 0};  // 16-byte id, 20 sig
  ayiya.resize(8 + 16 + 20, 0);
  ExpectInnerTcp(OuterIpv4(17, Udp(5072, 50000, Cat(ayiya, InnerIp(true)))));
}

TEST(EncapsulationTest, GtpUserWithExtensionHeader) {
  const Bytes inner = InnerIp();
  Bytes gtp = {0x34, 0xFF, 0,    0, 0, 0, 0, 1, 0, 0, 0, 0x85,  // E flag
               1,    0xAA, 0xBB, 0};  // one 4-byte extension, then none
  ExpectInnerTcp(OuterIpv4(17, Udp(2152, 2152, Cat(gtp, inner))));
  const Bytes simple = {0x30, 0xFF, 0, 0, 0, 0, 0, 1};
  ExpectInnerTcp(OuterIpv4(17, Udp(2152, 2152, Cat(simple, inner))));
}

TEST(EncapsulationTest, TeredoOnItsPortAndDetectedElsewhere) {
  const Bytes origin = {0x00, 0x00, 0x0D, 0xD8, 1, 2, 3, 4};
  ExpectInnerTcp(OuterIpv4(17, Udp(3544, 50000, Cat(origin, InnerIp(true)))));
  ExpectInnerTcp(OuterIpv4(17, Udp(3797, 32900, InnerIp(true))));
  // Not Teredo without a Teredo address at either end.
  const Bytes plain_v6 =
      PacketBuilder().Ipv6("2001:db8::1", "2001:db8::2").Tcp(1, 2).IpBytes();
  DecodeCounters counters;
  EXPECT_EQ(
      Decode(LinkType::kRaw, OuterIpv4(17, Udp(1000, 2000, plain_v6)), counters)
          .outcome,
      DecodeOutcome::kSkipped);
  EXPECT_EQ(counters.Get(DecodeCounter::kNotTcp), 1u);
}

TEST(EncapsulationTest, NestingIsCapped) {
  Bytes packet = InnerIp();
  for (int i = 0; i < 5; ++i) {
    packet = OuterIpv4(4, packet);
  }
  DecodeCounters counters;
  EXPECT_EQ(Decode(LinkType::kRaw, packet, counters).outcome,
            DecodeOutcome::kSkipped);
  EXPECT_EQ(counters.Get(DecodeCounter::kTunnelTooDeep), 1u);
  ExpectInnerTcp(OuterIpv4(4, OuterIpv4(4, InnerIp())));
}

TEST(EncapsulationTest, TruncatedHeadersAreNotTunnels) {
  const Bytes vxlan = {0x08, 0, 0, 0, 0, 0, 0x10, 0};
  const Bytes udp = Udp(50000, 4789, Cat(vxlan, InnerEthernet()));
  for (size_t n = 0; n < 8 + vxlan.size() + 14; ++n) {
    EXPECT_FALSE(ParseUdpTunnel(absl::MakeConstSpan(udp.data(), n))) << n;
  }
  const Bytes gtp = {0x34, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0, 0, 0};
  for (size_t n = 0; n <= gtp.size(); ++n) {
    EXPECT_FALSE(ParseGtpUser(absl::MakeConstSpan(gtp.data(), n))) << n;
  }
  Bytes bad_ext = gtp;
  bad_ext[12] = 0;  // zero-length extension header
  EXPECT_FALSE(ParseGtpUser(Cat(bad_ext, InnerIp())));
  EXPECT_FALSE(ParseGre(Bytes{0x40, 0, 0x08, 0x00}));  // routing present
  EXPECT_FALSE(ParseGeneve(Bytes{0x3F, 0, 0x65, 0x58, 0, 0, 0, 0}));
}

// Ethernet with 802.1Q 250, then VN-Tag or PBB, then (inner) IPv4.
TEST(EncapsulationTest, VnTagAndPbbAmongVlanTags) {
  const Bytes macs = {0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1};
  Bytes vntag = macs;
  for (const uint16_t v : {0x8100, 0x00FA, 0x8926, 0x0000, 0x0033, 0x0800}) {
    Put16(vntag, v);
  }
  Bytes pbb = macs;
  for (const uint16_t v : {0x8100, 0x00FA, 0x88E7, 0x001E, 0xBB30}) {
    Put16(pbb, v);
  }
  pbb = Cat(pbb, macs);  // the customer's addresses
  Put16(pbb, 0x0800);
  for (const Bytes& head : {vntag, pbb}) {
    const Bytes frame = Cat(head, InnerIp());
    DecodeCounters counters;
    const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
    EXPECT_EQ(d.segment->dst_port, 80);
    for (size_t n = 14; n < head.size(); ++n) {
      DecodeCounters cut_counters;
      EXPECT_EQ(Decode(LinkType::kEthernet,
                       absl::MakeConstSpan(frame.data(), n), cut_counters)
                    .outcome,
                DecodeOutcome::kMalformed)
          << n;
    }
  }
}

}  // namespace
}  // namespace tcpstate
