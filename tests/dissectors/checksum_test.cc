#include "dissectors/checksum.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

TEST(ChecksumTest, Rfc1071Example) {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0xf2, 0x03,
                                      0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(FoldChecksum(AddChecksumBytes(0, bytes)), 0xddf2);
}

TEST(ChecksumTest, OddTailIsPaddedAndSplitsCompose) {
  const std::vector<uint8_t> bytes = {0x12, 0x34, 0x56, 0x78, 0x9a,
                                      0xbc, 0xde, 0xf0, 0xff};
  // 1234 + 5678 + 9abc + def0 + ff00 folded.
  uint32_t expected = 0x1234 + 0x5678 + 0x9abc + 0xdef0 + 0xff00;
  while (expected > 0xFFFF) {
    expected = (expected & 0xFFFF) + (expected >> 16);
  }
  EXPECT_EQ(FoldChecksum(AddChecksumBytes(0, bytes)), expected);
  // Summing in two even-length pieces gives the same result.
  const absl::Span<const uint8_t> all(bytes);
  EXPECT_EQ(FoldChecksum(AddChecksumBytes(AddChecksumBytes(0, all.subspan(0, 6)),
                                          all.subspan(6))),
            expected);
}

// The word-wise sum against the definition (big-endian 16-bit words, an odd
// tail padded with zero) for every length up to 300, every alignment and
// contents from all zeros to all ones: the folded results and whether the
// sum is zero agree, so kGood/kOffloaded/kBad cannot change.
uint64_t ReferenceSum(uint64_t sum, const uint8_t* p, size_t n) {
  for (size_t i = 0; i + 1 < n; i += 2) {
    sum += (static_cast<uint32_t>(p[i]) << 8) | p[i + 1];
  }
  if (n % 2 == 1) {
    sum += static_cast<uint32_t>(p[n - 1]) << 8;
  }
  return sum;
}

TEST(ChecksumTest, WideSumMatchesTheDefinition) {
  std::vector<uint8_t> buf(320);
  uint32_t x = 12345;
  for (int fill = 0; fill < 4; ++fill) {
    for (size_t i = 0; i < buf.size(); ++i) {
      x = x * 1103515245u + 12345u;
      buf[i] = fill == 0 ? 0 : fill == 1 ? 0xFF : static_cast<uint8_t>(x >> 16);
    }
    if (fill == 3) {
      buf[100] = 0;  // a few zeros in random data
      buf[101] = 0;
    }
    for (size_t offset = 0; offset < 8; ++offset) {
      for (size_t n = 0; n + offset <= 300; ++n) {
        const absl::Span<const uint8_t> span(buf.data() + offset, n);
        for (uint64_t start : {uint64_t{0}, uint64_t{0x1234}}) {
          const uint64_t got = AddChecksumBytes(start, span);
          const uint64_t want = ReferenceSum(start, span.data(), n);
          ASSERT_EQ(FoldChecksum(got), FoldChecksum(want))
              << "fill " << fill << " offset " << offset << " n " << n;
          ASSERT_EQ(got == 0, want == 0) << "n " << n;
        }
      }
    }
  }
}

// Long segments (the wide loop's rounds, and its limit of 16,384 rounds
// per pass) sum as the definition does, all 0xFF bytes included.
TEST(ChecksumTest, LongInputsMatchTheDefinition) {
  std::vector<uint8_t> buf(1 << 20);
  uint32_t x = 99;
  for (int fill = 0; fill < 3; ++fill) {
    for (size_t i = 0; i < buf.size(); ++i) {
      x = x * 1103515245u + 12345u;
      buf[i] = fill == 0 ? 0xFF : fill == 1 ? 0 : static_cast<uint8_t>(x >> 16);
    }
    for (const size_t n : {size_t{64}, size_t{65}, size_t{1460}, size_t{9001},
                           size_t{65535}, size_t{524288}, size_t{524352},
                           size_t{1 << 20}}) {
      for (const size_t offset : {size_t{0}, size_t{3}}) {
        const size_t len = std::min(n, buf.size() - offset);
        const absl::Span<const uint8_t> span(buf.data() + offset, len);
        const uint64_t got = AddChecksumBytes(7, span);
        const uint64_t want = ReferenceSum(7, span.data(), len);
        ASSERT_EQ(FoldChecksum(got), FoldChecksum(want))
            << "fill " << fill << " n " << len << " offset " << offset;
      }
    }
  }
}

TEST(ChecksumTest, FoldHandlesLargeSums) {
  EXPECT_EQ(FoldChecksum(0x1FFFE), 0xFFFF);
  EXPECT_EQ(FoldChecksum(0xFFFFFFFFFFFFull), 0xFFFF);
  EXPECT_EQ(FoldChecksum(0x10000), 0x0001);
}

TEST(ChecksumTest, PseudoHeaderV4MatchesHandSum) {
  const std::vector<uint8_t> src = {10, 0, 0, 1};
  const std::vector<uint8_t> dst = {10, 0, 0, 2};
  // 0a00 + 0001 + 0a00 + 0002 + 0006 + 0014
  EXPECT_EQ(FoldChecksum(PseudoHeaderSum(src, dst, 6, 20)),
            0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 0x0006 + 0x0014);
}

TEST(ChecksumTest, ClassifiesSegment) {
  const std::vector<uint8_t> src = {192, 0, 2, 1};
  const std::vector<uint8_t> dst = {192, 0, 2, 2};
  std::vector<uint8_t> seg = {0x01, 0xbb, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 0,
                              0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
  const uint64_t pseudo = PseudoHeaderSum(src, dst, 6, 20);
  const uint16_t good =
      static_cast<uint16_t>(~FoldChecksum(AddChecksumBytes(pseudo, seg)));
  seg[16] = good >> 8;
  seg[17] = good & 0xFF;
  EXPECT_EQ(ClassifyTcpChecksum(pseudo, seg, good), ChecksumStatus::kGood);
  const uint16_t partial = FoldChecksum(pseudo);
  seg[16] = partial >> 8;
  seg[17] = partial & 0xFF;
  EXPECT_EQ(ClassifyTcpChecksum(pseudo, seg, partial),
            ChecksumStatus::kOffloaded);
  seg[16] = 0;
  seg[17] = 0;
  EXPECT_EQ(ClassifyTcpChecksum(pseudo, seg, 0), ChecksumStatus::kBad);
}

}  // namespace
}  // namespace tcpstate
