#include "analyzer/distinct_counter.h"

#include <cmath>
#include <cstdint>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

IpAddress Nth(uint32_t n, bool v6) {
  if (!v6) {
    return IpAddress::V4(0x0A000000u + n);
  }
  uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
  b[12] = static_cast<uint8_t>(n >> 24);
  b[13] = static_cast<uint8_t>(n >> 16);
  b[14] = static_cast<uint8_t>(n >> 8);
  b[15] = static_cast<uint8_t>(n);
  return IpAddress::FromBytes(b);
}

class DistinctCounterTest : public testing::TestWithParam<bool> {};

TEST_P(DistinctCounterTest, ExactUpToTheLimit) {
  DistinctCounter c(256);
  for (uint32_t i = 0; i < 256; ++i) {
    c.Add(Nth(i, GetParam()));
    c.Add(Nth(i, GetParam()));  // again: not counted twice
  }
  EXPECT_TRUE(c.exact());
  EXPECT_EQ(c.Count(), 256u);
  c.Add(Nth(1000, GetParam()));
  EXPECT_FALSE(c.exact());
}

// Estimates within 10% (three standard errors of a 1,024-register sketch:
// 1.04 / sqrt(1024) = 3.25%) from just past the limit to a million.
TEST_P(DistinctCounterTest, EstimatesWithinFivePercent) {
  for (uint32_t n : {300u, 2000u, 37623u, 250000u, 1000000u}) {
    DistinctCounter c(256);
    for (uint32_t i = 0; i < n; ++i) {
      c.Add(Nth(i * 7919u, GetParam()));
    }
    const double got = static_cast<double>(c.Count());
    EXPECT_LT(std::fabs(got - n) / n, 0.10) << n << " estimated " << got;
  }
}

TEST_P(DistinctCounterTest, MergeIsTheUnion) {
  DistinctCounter a(256);
  DistinctCounter b(256);
  for (uint32_t i = 0; i < 150; ++i) {
    a.Add(Nth(i, GetParam()));
    b.Add(Nth(i + 100, GetParam()));
  }
  DistinctCounter u = a;
  u.Merge(b);
  EXPECT_TRUE(u.exact());
  EXPECT_EQ(u.Count(), 250u);
  for (uint32_t i = 0; i < 20000; ++i) {
    b.Add(Nth(i + 100, GetParam()));
  }
  u.Merge(b);  // a sketch into an exact counter
  EXPECT_FALSE(u.exact());
  EXPECT_LT(std::fabs(static_cast<double>(u.Count()) - 20100) / 20100, 0.10);
  // The same addresses in another order: the same estimate.
  DistinctCounter forward(256);
  DistinctCounter backward(256);
  for (uint32_t i = 0; i < 5000; ++i) {
    forward.Add(Nth(i, GetParam()));
    backward.Add(Nth(4999 - i, GetParam()));
  }
  EXPECT_EQ(forward.Count(), backward.Count());
}

INSTANTIATE_TEST_SUITE_P(Families, DistinctCounterTest, testing::Bool());

}  // namespace
}  // namespace tcpstate
