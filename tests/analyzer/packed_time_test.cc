#include "analyzer/packed_time.h"

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

TEST(PackedTimeTest, HalfTheSizeOfAbslTime) {
  EXPECT_EQ(sizeof(PackedTime), 8u);
  EXPECT_EQ(sizeof(PackedDuration), 8u);
}

TEST(PackedTimeTest, WholeNanosecondsRoundTrip) {
  for (absl::Time t : {absl::UnixEpoch(), absl::FromUnixNanos(1),
                       absl::FromUnixNanos(-5),
                       absl::FromUnixNanos(1763730000123456789),
                       absl::InfinitePast(), absl::InfiniteFuture()}) {
    EXPECT_EQ(absl::Time(PackedTime(t)), t);
  }
  EXPECT_EQ(absl::Time(PackedTime()), absl::Time());
}

// A fraction of a nanosecond rounds up, so "later than" and "not later
// than" a whole nanosecond time (a packet timestamp) come out as before.
TEST(PackedTimeTest, FractionsRoundUpAndKeepComparisons) {
  const absl::Time base = absl::FromUnixNanos(1763730000000000000);
  const absl::Time half = base + absl::Nanoseconds(7) * 2.5;  // +17.5 ns
  const PackedTime p(half);
  EXPECT_EQ(absl::Time(p), base + absl::Nanoseconds(18));
  for (int n = 15; n <= 20; ++n) {
    const absl::Time now = base + absl::Nanoseconds(n);
    EXPECT_EQ(p > now, half > now) << n;
    EXPECT_EQ(p <= now, half <= now) << n;
  }
}

TEST(PackedTimeTest, Durations) {
  for (absl::Duration d : {absl::ZeroDuration(), absl::Nanoseconds(3),
                           absl::Seconds(-2), absl::Hours(1000),
                           absl::InfiniteDuration(), -absl::InfiniteDuration()}) {
    EXPECT_EQ(absl::Duration(PackedDuration(d)), d);
  }
  const PackedTime a(absl::FromUnixSeconds(10));
  const PackedTime b(absl::FromUnixSeconds(4));
  EXPECT_EQ(a - b, absl::Seconds(6));
  EXPECT_TRUE(b < a);
  EXPECT_EQ(absl::Time(a + absl::Seconds(1)), absl::FromUnixSeconds(11));
}

}  // namespace
}  // namespace tcpstate
