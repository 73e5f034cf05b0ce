// Decodes every prefix of several frames, as every possible snaplen would
// cut them, and checks the outcome and the one counter each cut must bump.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dissectors/decode.h"
#include "dissectors/ipv4.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

struct SweepCase {
  std::string name;
  LinkType link;
  size_t fixed_link_size;  // link header without VLAN tags
  bool v6;
  std::function<void(PacketBuilder&)> shape;
};

struct Expectation {
  DecodeOutcome outcome;
  std::string counters;
};

// What a frame cut to `n` bytes must decode to, from the layer sizes.
Expectation Expect(const SweepCase& c, const PacketBuilder& b, size_t n) {
  const size_t link = b.LinkHeaderSize();
  const size_t ip_fixed = c.v6 ? 40 : 20;
  const size_t ip = b.IpHeaderSize();
  const size_t tcp = b.TcpHeaderSize();
  const size_t full = b.Bytes().size();
  const DecodeOutcome bad = DecodeOutcome::kMalformed;
  if (n < c.fixed_link_size || (c.fixed_link_size == 0 && n == 0)) {
    return {bad, "link_truncated=1"};
  }
  if (n < link) {
    return {bad, "vlan_truncated=1"};
  }
  if (n < link + ip_fixed) {
    return {bad, c.v6 ? "ipv6_truncated=1" : "ipv4_truncated=1"};
  }
  if (n < link + ip) {
    return {bad, c.v6 ? "ipv6_ext_header_truncated=1" : "ipv4_truncated=1"};
  }
  if (n < link + ip + 20) {
    return {bad, "tcp_truncated=1"};
  }
  if (n < link + ip + tcp) {
    return {DecodeOutcome::kTcp,
            "tcp_options_truncated=1 tcp_checksum_unverified=1"};
  }
  if (n < full) {
    return {DecodeOutcome::kTcp,
            "tcp_payload_truncated=1 tcp_checksum_unverified=1"};
  }
  return {DecodeOutcome::kTcp, ""};
}

class TruncationSweepTest : public testing::TestWithParam<SweepCase> {};

TEST_P(TruncationSweepTest, EveryPrefix) {
  const SweepCase& c = GetParam();
  PacketBuilder b;
  if (c.v6) {
    b.Ipv6("2001:db8:1::1", "2001:db8:2::2");
  }
  b.Link(c.link);
  c.shape(b);
  const std::vector<uint8_t> frame = b.Bytes();
  const size_t headers = b.LinkHeaderSize() + b.IpHeaderSize() +
                         b.TcpHeaderSize();
  const size_t payload_len = frame.size() - headers;
  for (size_t n = 0; n <= frame.size(); ++n) {
    // An exact-size copy, so that sanitizers catch any read past the cut.
    const std::vector<uint8_t> cut(frame.begin(), frame.begin() + n);
    DecodeCounters counters;
    const DecodedPacket d = Decode(c.link, cut, counters);
    const Expectation e = Expect(c, b, n);
    ASSERT_EQ(d.outcome, e.outcome) << "prefix " << n;
    ASSERT_EQ(NonZeroCounters(counters), e.counters) << "prefix " << n;
    ASSERT_EQ(d.segment.has_value(), e.outcome == DecodeOutcome::kTcp);
    if (!d.segment.has_value()) {
      continue;
    }
    const TcpSegment& s = *d.segment;
    EXPECT_EQ(s.payload_len, payload_len) << n;
    EXPECT_EQ(s.payload.size(), n > headers ? n - headers : 0) << n;
    EXPECT_EQ(s.src_port, 40000);
    EXPECT_EQ(s.seq, SeqNum(1000));
    EXPECT_FALSE(s.options.malformed) << n;
    EXPECT_EQ(s.checksum, n == frame.size() ? ChecksumStatus::kGood
                                            : ChecksumStatus::kUnverified);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Frames, TruncationSweepTest,
    testing::Values(
        SweepCase{"EthernetV4Syn", LinkType::kEthernet, 14, false,
                  [](PacketBuilder& b) {
                    b.Flags(TcpFlags::kSyn).Mss(1460).SackPermitted()
                        .Timestamps(1, 0).Nop().WindowScale(7);
                  }},
        SweepCase{"QinQV4IpOptionsPayload", LinkType::kEthernet, 14, false,
                  [](PacketBuilder& b) {
                    b.Vlan(10, 0x88A8).Vlan(20).Ipv4Options({1, 1, 1, 0})
                        .Timestamps(5, 6).PayloadSize(50);
                  }},
        SweepCase{"SllV6Extensions", LinkType::kLinuxSll, 16, true,
                  [](PacketBuilder& b) {
                    b.Ipv6Extension(IpProtocol::kHopByHop)
                        .Ipv6Extension(IpProtocol::kDestinationOptions,
                                       std::vector<uint8_t>(14, 1))
                        .Timestamps(1, 2).PayloadSize(30);
                  }},
        SweepCase{"Sll2V6Sack", LinkType::kLinuxSll2, 20, true,
                  [](PacketBuilder& b) {
                    b.Sack({{1, 2}, {3, 4}}).PayloadSize(10);
                  }},
        SweepCase{"NullV4", LinkType::kNull, 4, false,
                  [](PacketBuilder& b) {
                    // SYN+ACK: an MSS on any other segment is counted.
                    b.Flags(TcpFlags::kSyn | TcpFlags::kAck).Mss(536)
                        .PayloadSize(5);
                  }},
        SweepCase{"LoopV6AtomicFragment", LinkType::kLoop, 4, true,
                  [](PacketBuilder& b) {
                    b.Ipv6Fragment(0, false).WindowScale(2).PayloadSize(9);
                  }},
        SweepCase{"RawV6Routing", LinkType::kRaw, 0, true,
                  [](PacketBuilder& b) {
                    b.Ipv6Routing(2, 1, {"2001:db8::77"}).PayloadSize(3);
                  }},
        SweepCase{"RawV4", LinkType::kRaw, 0, false,
                  [](PacketBuilder& b) { b.FastOpen(8).PayloadSize(4); }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace tcpstate
