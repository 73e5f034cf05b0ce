// Round trips through the connection: a data segment to the ACK of exactly
// its end, none from data sent twice (Karn's rule), fixed memory.

#include "analyzer/rtt_tracker.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1763730000);

PackedTime At(int64_t us) { return kT0 + absl::Microseconds(us); }

struct Step {
  bool ack;       // an ACK from the peer, else a segment sent
  uint32_t seq;   // the ACK number, or the segment's first byte
  uint32_t len;   // payload of a sent segment
  int64_t at_us;
  bool retransmission = false;
};

struct Case {
  const char* name;
  std::vector<Step> steps;
  uint32_t samples;
  int64_t min_us, max_us, mean_us;
};

TEST(RttTrackerTest, SamplesAsTcptraceAndWiresharkTakeThem) {
  const uint32_t s = 4294967000u;  // wraps past 2^32 within the cases
  const Case cases[] = {
      {"one segment, one ACK", {{false, s, 100, 0}, {true, s + 100, 0, 40}},
       1, 40, 40, 40},
      {"a delayed ACK of two segments times the second",
       {{false, s, 100, 0}, {false, s + 100, 100, 10},
        {true, s + 200, 0, 50}},
       1, 40, 40, 40},
      {"each ACK of its own segment",
       {{false, s, 100, 0}, {false, s + 100, 100, 10}, {true, s + 100, 0, 30},
        {true, s + 200, 0, 60}},
       2, 30, 50, 40},
      {"a partial ACK times nothing",
       {{false, s, 100, 0}, {true, s + 50, 0, 30}, {true, s + 100, 0, 70}},
       1, 70, 70, 70},
      {"Karn: a retransmitted segment gives no sample",
       {{false, s, 100, 0}, {false, s, 100, 200000, true},
        {true, s + 100, 0, 200040}},
       0, 0, 0, 0},
      {"Karn: a repeat the classifier missed is still ambiguous",
       {{false, s, 100, 0}, {false, s + 50, 100, 90}, {true, s + 100, 0, 100}},
       0, 0, 0, 0},
      {"a duplicate ACK times nothing more",
       {{false, s, 100, 0}, {true, s + 100, 0, 40}, {true, s + 100, 0, 90}},
       1, 40, 40, 40},
      {"a long wait is a long sample",
       {{false, s, 100, 0}, {true, s + 100, 0, 63000000}},
       1, 63000000, 63000000, 63000000},
      {"a segment long after one still waiting is timed",
       {{false, s, 100, 0}, {false, s + 5000, 100, 20000000},
        {true, s + 5100, 0, 20001000}},
       1, 1000, 1000, 1000},
      {"an ACK before its data (a reordered capture) times nothing",
       {{false, s, 100, 50}, {true, s + 100, 0, 20}},
       0, 0, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RttTracker t;
    for (const Step& step : c.steps) {
      if (step.ack) {
        t.OnAck(SeqNum(step.seq), At(step.at_us));
      } else {
        t.OnSent(SeqNum(step.seq), step.len, At(step.at_us),
                 step.retransmission);
      }
    }
    EXPECT_EQ(t.samples(), c.samples);
    if (c.samples > 0) {
      // The statistics are floats: 1 part in 16 million.
      auto near = [](absl::Duration got, int64_t want_us) {
        const double want = static_cast<double>(want_us) * 1e3;
        return std::abs(absl::ToDoubleNanoseconds(got) - want) <=
               std::max(1.0, want * 1e-7);
      };
      EXPECT_TRUE(near(t.min(), c.min_us)) << t.min();
      EXPECT_TRUE(near(t.max(), c.max_us)) << t.max();
      EXPECT_TRUE(near(t.mean(), c.mean_us)) << t.mean();
    }
  }
}

TEST(RttTrackerTest, MeanAndPopulationStddev) {
  RttTracker t;
  const int64_t rtts[] = {10, 20, 30, 40};
  uint32_t seq = 1000;
  int64_t now = 0;
  for (const int64_t r : rtts) {
    t.OnSent(SeqNum(seq), 10, At(now), false);
    t.OnAck(SeqNum(seq + 10), At(now + r));
    seq += 10;
    now += 1000;
  }
  EXPECT_EQ(t.samples(), 4u);
  EXPECT_EQ(t.mean(), absl::Microseconds(25));
  // sqrt(((15^2 + 5^2) * 2) / 4) = 11.180 µs
  EXPECT_EQ(t.stddev(), absl::Nanoseconds(11180));
}

// With every slot busy the newest segment takes the newest one's slot: the
// oldest are timed as they are acknowledged, and so is the last.
TEST(RttTrackerTest, MoreInFlightThanSlotsTimesTheOldestAndTheLast) {
  RttTracker t;
  const int n = RttTracker::kSlots * 2;
  for (int i = 0; i < n; ++i) {
    t.OnSent(SeqNum(100 * i), 100, At(i), false);
  }
  for (int i = 0; i < n; ++i) {
    t.OnAck(SeqNum(100 * (i + 1)), At(1000 + i));
  }
  EXPECT_EQ(t.samples(), static_cast<uint32_t>(RttTracker::kSlots));
  EXPECT_EQ(t.min(), absl::Microseconds(1000));
  // Slots free again: the next segment is timed.
  t.OnSent(SeqNum(100 * n), 100, At(5000), false);
  t.OnAck(SeqNum(100 * (n + 1)), At(5500));
  EXPECT_EQ(t.samples(), static_cast<uint32_t>(RttTracker::kSlots) + 1);
  EXPECT_EQ(t.max(), absl::Microseconds(1000));
  EXPECT_EQ(t.min(), absl::Microseconds(500));
}

}  // namespace
}  // namespace tcpstate
