// IpReassembler: RFC 815 hole tracking, RFC 5722 overlaps, limits. Every
// case runs for IPv4 and IPv6 (same rules, different keys and bounds).

#include "analyzer/ip_reassembly.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"

namespace tcpstate {
namespace {

using Bytes = std::vector<uint8_t>;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Bytes Pattern(size_t size, uint8_t seed) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<uint8_t>(seed + i * 7);
  }
  return out;
}

class ReassemblyTest : public testing::TestWithParam<IpFamily> {
 protected:
  bool v6() const { return GetParam() == IpFamily::kIpv6; }

  // Fragment [offset, offset + size) of `datagram`; MF unless it ends it.
  IpFragment Frag(const Bytes& datagram, uint32_t offset, uint32_t size,
                  uint32_t id = 1) {
    IpFragment f;
    f.family = GetParam();
    f.src = v6() ? absl::MakeConstSpan(src6_) : absl::MakeConstSpan(src4_);
    f.dst = v6() ? absl::MakeConstSpan(dst6_) : absl::MakeConstSpan(dst4_);
    f.pseudo_dst = f.dst;
    f.identification = id;
    f.protocol = 6;
    f.offset = offset;
    f.more_fragments = offset + size < datagram.size();
    f.data = absl::MakeConstSpan(datagram).subspan(offset, size);
    f.max_end = v6() ? 65535 : 65535 - 20;
    f.header_length = v6() ? 40 : 20;
    f.ttl = 33;
    return f;
  }

  std::optional<CompletedDatagram> Add(const IpFragment& f,
                                       absl::Duration at = absl::ZeroDuration()) {
    r_.Expire(kT0 + at, counters_);
    return r_.Add(f, kT0 + at, counters_);
  }

  std::string Counters() const { return NonZeroCounters(counters_); }

  ReassemblyOptions options_;
  IpReassembler r_{options_};
  DecodeCounters counters_;
  const uint8_t src4_[4] = {192, 0, 2, 1};
  const uint8_t dst4_[4] = {192, 0, 2, 2};
  const uint8_t src6_[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                             0,    0,    0,    0,    0, 0, 0, 1};
  const uint8_t dst6_[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                             0,    0,    0,    0,    0, 0, 0, 2};
};

// Fragment orders of a 3-fragment datagram (offsets 0, 800, 1600).
struct OrderCase {
  std::string name;
  std::vector<int> order;
};

TEST_P(ReassemblyTest, AnyOrderCompletesOnTheLastMissingFragment) {
  const Bytes d = Pattern(2000, 1);
  for (const OrderCase& c : {OrderCase{"in_order", {0, 1, 2}},
                             OrderCase{"reverse", {2, 1, 0}},
                             OrderCase{"middle_first", {1, 2, 0}},
                             OrderCase{"last_then_first", {2, 0, 1}}}) {
    SCOPED_TRACE(c.name);
    IpReassembler r(options_);
    DecodeCounters counters;
    std::optional<CompletedDatagram> done;
    for (size_t i = 0; i < c.order.size(); ++i) {
      const uint32_t offset = 800 * c.order[i];
      done = r.Add(Frag(d, offset, std::min<uint32_t>(800, 2000 - offset)),
                   kT0, counters);
      EXPECT_EQ(done.has_value(), i + 1 == c.order.size());
    }
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->payload, d);
    EXPECT_EQ(done->family, GetParam());
    EXPECT_EQ(done->protocol, 6);
    EXPECT_EQ(done->ttl, 33);
    EXPECT_EQ(done->header_length, v6() ? 40u : 20u);
    EXPECT_EQ(done->View().payload.size(), 2000u);
    EXPECT_EQ(NonZeroCounters(counters), "ip_fragments_reassembled=1");
    EXPECT_EQ(r.pending(), 0u);
    EXPECT_EQ(r.bytes(), 0u);
  }
}

TEST_P(ReassemblyTest, InterleavedDatagramsStayApart) {
  const Bytes a = Pattern(1600, 1);
  const Bytes b = Pattern(1600, 99);
  EXPECT_FALSE(Add(Frag(a, 800, 800, 1)));
  EXPECT_FALSE(Add(Frag(b, 0, 800, 2)));
  std::optional<CompletedDatagram> done = Add(Frag(a, 0, 800, 1));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->payload, a);
  done = Add(Frag(b, 800, 800, 2));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->payload, b);
  EXPECT_EQ(Counters(), "ip_fragments_reassembled=2");
}

TEST_P(ReassemblyTest, IdenticalDuplicatesAreIgnored) {
  const Bytes d = Pattern(2400, 3);
  EXPECT_FALSE(Add(Frag(d, 0, 800)));
  EXPECT_FALSE(Add(Frag(d, 0, 800)));     // whole duplicate
  EXPECT_FALSE(Add(Frag(d, 400, 1200)));  // overlaps both sides, same bytes
  const std::optional<CompletedDatagram> done = Add(Frag(d, 1600, 800));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->payload, d);
  EXPECT_EQ(Counters(),
            "ip_fragments_reassembled=1 ip_reassembly_duplicate=2");
}

TEST_P(ReassemblyTest, OverlapWithOtherBytesDropsTheDatagram) {
  const Bytes d = Pattern(2400, 3);
  Bytes forged = d;
  forged[500] ^= 0xFF;
  EXPECT_FALSE(Add(Frag(d, 0, 800)));
  EXPECT_FALSE(Add(Frag(d, 1600, 800)));
  EXPECT_FALSE(Add(Frag(forged, 400, 800)));  // 400..1200, byte 500 differs
  EXPECT_FALSE(Add(Frag(d, 800, 800)));       // the rest: absorbed
  EXPECT_EQ(Counters(), "ip_reassembly_overlap=1");
  EXPECT_EQ(r_.bytes(), 0u);
  EXPECT_EQ(r_.pending(), 1u);  // absorbs until its timeout, uncounted
  r_.Expire(kT0 + absl::Seconds(31), counters_);
  EXPECT_EQ(r_.pending(), 0u);
  EXPECT_EQ(Counters(), "ip_reassembly_overlap=1");
}

TEST_P(ReassemblyTest, GenuineFragmentAfterAForgedOneIsAnOverlapToo) {
  const Bytes d = Pattern(1600, 3);
  Bytes forged = d;
  forged[1000] ^= 0xFF;
  EXPECT_FALSE(Add(Frag(forged, 800, 800)));  // first come, not yet known
  EXPECT_FALSE(Add(Frag(d, 0, 1600)));        // the genuine bytes differ
  EXPECT_EQ(Counters(), "ip_reassembly_overlap=1");
}

TEST_P(ReassemblyTest, OverlapIntoTheLastReceivedByteIsCaught) {
  const Bytes d = Pattern(1600, 3);
  Bytes forged = d;
  forged[799] ^= 0x01;
  EXPECT_FALSE(Add(Frag(d, 0, 800)));
  EXPECT_FALSE(Add(Frag(forged, 792, 808)));
  EXPECT_EQ(Counters(), "ip_reassembly_overlap=1");
}

TEST_P(ReassemblyTest, DatagramOverTheLengthFieldIsDropped) {
  const Bytes d = Pattern(65536, 5);
  IpFragment f = Frag(d, 65000, 536);
  f.more_fragments = false;
  EXPECT_FALSE(Add(f));
  EXPECT_FALSE(Add(Frag(d, 0, 800)));
  EXPECT_EQ(Counters(), "ip_reassembly_too_large=1");
  // Exactly at the bound is fine.
  const Bytes ok = Pattern(f.max_end, 6);
  EXPECT_FALSE(Add(Frag(ok, 0, 32768, 2)));
  EXPECT_TRUE(Add(Frag(ok, 32768, f.max_end - 32768, 2)));
}

TEST_P(ReassemblyTest, ConflictingEndsDropTheDatagram) {
  const Bytes d = Pattern(2400, 5);
  IpFragment short_end = Frag(d, 800, 800);
  short_end.more_fragments = false;  // ends at 1600; then one at 2400
  EXPECT_FALSE(Add(short_end));
  EXPECT_FALSE(Add(Frag(d, 1600, 800)));
  EXPECT_EQ(Counters(), "ip_reassembly_bad_end=1");
  // Data already past the end the MF=0 fragment sets.
  EXPECT_FALSE(Add(Frag(d, 1600, 800, 2)));
  short_end.identification = 2;
  EXPECT_FALSE(Add(short_end));
  EXPECT_EQ(Counters(), "ip_reassembly_bad_end=2");
}

TEST_P(ReassemblyTest, IncompleteDatagramTimesOut) {
  const Bytes d = Pattern(1600, 5);
  EXPECT_FALSE(Add(Frag(d, 0, 800)));
  EXPECT_FALSE(Add(Frag(d, 800, 400), absl::Seconds(30)));  // not yet
  EXPECT_EQ(Counters(), "");
  // 30 s after the first fragment: gone; the rest starts a new datagram.
  EXPECT_FALSE(Add(Frag(d, 1200, 400), absl::Seconds(31)));
  EXPECT_EQ(Counters(), "ip_reassembly_timeout=1");
  EXPECT_EQ(r_.pending(), 1u);
  r_.Finish(counters_);
  EXPECT_EQ(Counters(), "ip_reassembly_timeout=1 ip_reassembly_unfinished=1");
  EXPECT_EQ(r_.pending(), 0u);
  EXPECT_EQ(r_.bytes(), 0u);
}

TEST_P(ReassemblyTest, FullTableDropsTheOldest) {
  options_.max_datagrams = 2;
  IpReassembler r(options_);
  const Bytes d = Pattern(1600, 5);
  for (uint32_t id = 1; id <= 3; ++id) {
    EXPECT_FALSE(r.Add(Frag(d, 0, 800, id), kT0, counters_));
  }
  EXPECT_EQ(r.pending(), 2u);
  EXPECT_EQ(Counters(), "ip_reassembly_dropped_full=1");
  EXPECT_FALSE(r.Add(Frag(d, 800, 800, 1), kT0, counters_));  // 1 is gone
  EXPECT_TRUE(r.Add(Frag(d, 800, 800, 3), kT0, counters_));
}

TEST_P(ReassemblyTest, MemoryStaysWithinItsBound) {
  options_.max_bytes = 64 << 10;
  IpReassembler r(options_);
  const Bytes d = Pattern(40000, 5);
  for (uint32_t id = 1; id <= 10; ++id) {
    // Each pending datagram holds 40000 bytes: only one fits.
    EXPECT_FALSE(r.Add(Frag(d, 39200, 800, id), kT0, counters_));
    EXPECT_LE(r.bytes(), options_.max_bytes);
  }
  EXPECT_EQ(r.pending(), 1u);
  EXPECT_EQ(r.bytes(), 40000u);
  EXPECT_EQ(Counters(), "ip_reassembly_dropped_full=9");
  // The newest still completes.
  EXPECT_TRUE(r.Add(Frag(d, 0, 39200, 10), kT0, counters_));
  EXPECT_EQ(r.bytes(), 0u);
}

TEST_P(ReassemblyTest, KeyIncludesProtocolAndAddresses) {
  const Bytes d = Pattern(1600, 5);
  EXPECT_FALSE(Add(Frag(d, 0, 800)));
  IpFragment udp = Frag(d, 800, 800);
  udp.protocol = 17;
  EXPECT_FALSE(Add(udp));
  IpFragment swapped = Frag(d, 800, 800);
  std::swap(swapped.src, swapped.dst);
  EXPECT_FALSE(Add(swapped));
  EXPECT_EQ(r_.pending(), 3u);
  EXPECT_TRUE(Add(Frag(d, 800, 800)));
}

INSTANTIATE_TEST_SUITE_P(Families, ReassemblyTest,
                         testing::Values(IpFamily::kIpv4, IpFamily::kIpv6),
                         [](const testing::TestParamInfo<IpFamily>& info) {
                           return info.param == IpFamily::kIpv6 ? "Ipv6"
                                                                : "Ipv4";
                         });

}  // namespace
}  // namespace tcpstate
