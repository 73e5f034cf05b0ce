#include "dissectors/tcp_options.h"

#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/decode.h"
#include "gtest/gtest.h"
#include "tests/testing/decode_counters_util.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

// A compact, comparable summary of decoded options.
std::string Describe(const TcpOptions& o) {
  std::string out;
  if (o.mss.has_value()) {
    out += "mss=" + std::to_string(*o.mss) + " ";
  }
  if (o.window_scale.has_value()) {
    out += "ws=" + std::to_string(*o.window_scale) + " ";
  }
  if (o.sack_permitted) {
    out += "sackok ";
  }
  for (uint8_t i = 0; i < o.sack_block_count; ++i) {
    out += "sack=" + std::to_string(o.sack_blocks[i].left.value()) + "-" +
           std::to_string(o.sack_blocks[i].right.value()) + " ";
  }
  if (o.timestamps.has_value()) {
    out += "ts=" + std::to_string(o.timestamps->value) + "/" +
           std::to_string(o.timestamps->echo_reply) + " ";
  }
  if (o.tfo) {
    out += "tfo=" + std::to_string(o.tfo_cookie_len) + " ";
  }
  if (o.unknown_count > 0) {
    out += "unknown=" + std::to_string(o.unknown_count) + " ";
  }
  if (o.malformed) {
    out += "MALFORMED ";
  }
  if (o.truncated) {
    out += "TRUNCATED ";
  }
  if (!out.empty()) {
    out.pop_back();
  }
  return out;
}

struct OptionCase {
  std::string name;
  std::vector<uint8_t> bytes;  // the whole declared options area
  std::string expected;
};

class TcpOptionsTest : public testing::TestWithParam<OptionCase> {};

TEST_P(TcpOptionsTest, Parses) {
  const OptionCase& c = GetParam();
  EXPECT_EQ(Describe(ParseTcpOptions(c.bytes, c.bytes.size())), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TcpOptionsTest,
    testing::Values(
        OptionCase{"Empty", {}, ""},
        OptionCase{"LinuxSyn",
                   {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3,
                    3, 7},
                   "mss=1460 ws=7 sackok ts=1/0"},
        OptionCase{"WindowScaleAbove14Kept", {3, 3, 15, 0}, "ws=15"},
        OptionCase{"OneSackBlock",
                   {1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20},
                   "sack=10-20"},
        OptionCase{"FourSackBlocks",
                   {1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
                    0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7,
                    0, 0, 0, 8, 0, 0},
                   "sack=1-2 sack=3-4 sack=5-6 sack=7-8"},
        OptionCase{"SackAcrossWrap",
                   {1, 1, 5, 10, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10},
                   "sack=4294967280-16"},
        OptionCase{"FastOpenRequest", {34, 2, 1, 1}, "tfo=0"},
        OptionCase{"FastOpenCookie",
                   {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1},
                   "tfo=8"},
        OptionCase{"FastOpenExperimental",
                   {254, 8, 0xf9, 0x89, 1, 2, 3, 4},
                   "tfo=4"},
        OptionCase{"OtherExperimentIsUnknown",
                   {254, 4, 0x12, 0x34}, "unknown=1"},
        OptionCase{"UnknownKinds", {30, 4, 0, 0, 99, 2, 1, 1}, "unknown=2"},
        OptionCase{"EolStopsParsing", {0, 2, 4, 5, 0xb4}, ""},
        OptionCase{"EolAfterMss", {2, 4, 1, 0, 0, 3, 3, 1}, "mss=256"},
        OptionCase{"LengthZeroStops", {2, 4, 5, 0xb4, 8, 0, 3, 3, 7, 0, 0, 0},
                   "mss=1460 MALFORMED"},
        OptionCase{"LengthOneStops", {8, 1, 2, 4, 5, 0xb4, 0, 0},
                   "MALFORMED"},
        OptionCase{"LengthOverrunsHeader", {3, 3, 2, 1, 8, 10, 0, 0},
                   "ws=2 MALFORMED"},
        OptionCase{"KindWithoutLengthAtEnd", {1, 1, 1, 2}, "MALFORMED"},
        OptionCase{"MssWrongLengthSkipped", {2, 3, 5, 3, 3, 6, 0, 0},
                   "ws=6 MALFORMED"},
        OptionCase{"TimestampsWrongLength",
                   {8, 6, 0, 0, 0, 1, 0, 0}, "MALFORMED"},
        OptionCase{"SackWrongLength",
                   {5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 0}, "MALFORMED"},
        OptionCase{"SackPermittedWrongLength", {4, 3, 0, 1}, "MALFORMED"},
        OptionCase{"DuplicateMssLastWins", {2, 4, 0, 1, 2, 4, 0, 2}, "mss=2"}),
    [](const auto& info) { return info.param.name; });

TEST(TcpOptionsTruncationTest, CapturedShorterThanDeclared) {
  const std::vector<uint8_t> full = {2, 4, 5, 0xb4, 8, 10, 0, 0,
                                     0, 1, 0, 0, 0, 0, 1, 1};
  for (size_t n = 0; n <= full.size(); ++n) {
    const absl::Span<const uint8_t> cut(full.data(), n);
    const TcpOptions o = ParseTcpOptions(cut, full.size());
    EXPECT_FALSE(o.malformed) << n;
    EXPECT_EQ(o.truncated, n < full.size()) << n;
    EXPECT_EQ(o.mss.has_value(), n >= 4) << n;
    EXPECT_EQ(o.timestamps.has_value(), n >= 14) << n;
  }
}

TEST(TcpOptionsDecodeTest, MalformedOptionsStillYieldASegment) {
  for (const bool v6 : {false, true}) {
    PacketBuilder b;
    if (v6) {
      b.Ipv6("fe80::1", "fe80::2");
    }
    const std::vector<uint8_t> frame = b.Flags(TcpFlags::kSyn)
                                           .Mss(1400)
                                           .RawOption({8, 0})
                                           .Payload("x")
                                           .Bytes();
    DecodeCounters counters;
    const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
    EXPECT_EQ(Describe(d.segment->options), "mss=1400 MALFORMED");
    EXPECT_EQ(d.segment->payload_len, 1u);
    EXPECT_EQ(d.segment->checksum, ChecksumStatus::kGood);
    EXPECT_EQ(NonZeroCounters(counters), "tcp_option_bad_length=1");
  }
}

TEST(TcpOptionsDecodeTest, BuilderOptionsRoundTrip) {
  const std::vector<uint8_t> frame = PacketBuilder()
                                         .Sack({{100, 200}, {300, 400}})
                                         .FastOpen(6)
                                         .Timestamps(7, 8)
                                         .Bytes();
  DecodeCounters counters;
  const DecodedPacket d = Decode(LinkType::kEthernet, frame, counters);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTcp);
  EXPECT_EQ(Describe(d.segment->options),
            "sack=100-200 sack=300-400 ts=7/8 tfo=6");
  EXPECT_EQ(NonZeroCounters(counters), "");
}

}  // namespace
}  // namespace tcpstate
