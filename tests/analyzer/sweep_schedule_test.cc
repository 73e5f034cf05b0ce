// The sweep schedule: a sweep takes exactly the connections filed at or
// before its tick, whatever the order they were filed, moved or removed in.
#include "analyzer/sweep_schedule.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/connection.h"
#include "analyzer/flow_key.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

constexpr absl::Duration kTick = absl::Seconds(5);
const absl::Time kStart = absl::FromUnixSeconds(1700000000);

class SweepScheduleTest : public ::testing::Test {
 protected:
  Connection* Make() {
    const uint64_t id = conns_.size() + 1;
    FlowKey key{Endpoint4{IpAddress::V4(0x0A000001), static_cast<uint16_t>(id)},
                Endpoint4{IpAddress::V4(0x0A000002), 80}};
    conns_.push_back(std::make_unique<Connection>(
        id, key, true, RoleRule::kSynSenderIsClient, false, options_));
    return conns_.back().get();
  }
  static std::vector<uint64_t> Ids(const std::vector<Connection*>& v) {
    std::vector<uint64_t> ids;
    for (const Connection* c : v) {
      ids.push_back(c->id());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  std::vector<uint64_t> Take(absl::Time now) {
    std::vector<Connection*> out;
    schedule_.TakeDue(now, out);
    for (Connection* c : out) {
      EXPECT_EQ(c->schedule_slot().tick, ScheduleSlot::kNone);
    }
    return Ids(out);
  }

  ConnectionOptions options_;
  std::vector<std::unique_ptr<Connection>> conns_;
  SweepSchedule schedule_{kTick};
};

TEST_F(SweepScheduleTest, TakesWhatIsDueByTick) {
  schedule_.Start(kStart);
  std::vector<Connection*> c;
  for (int i = 0; i < 6; ++i) {
    c.push_back(Make());
  }
  // Filed out of order; 1 and 2 share a tick.
  schedule_.Schedule(c[3], c[3]->schedule_slot(), kStart + absl::Seconds(31));
  schedule_.Schedule(c[0], c[0]->schedule_slot(), kStart);
  schedule_.Schedule(c[1], c[1]->schedule_slot(), kStart + absl::Seconds(11));
  schedule_.Schedule(c[2], c[2]->schedule_slot(), kStart + absl::Seconds(14));
  schedule_.Schedule(c[4], c[4]->schedule_slot(), kStart + absl::Hours(1));
  schedule_.Schedule(c[5], c[5]->schedule_slot(), absl::InfiniteFuture());
  EXPECT_EQ(schedule_.size(), 6u);
  EXPECT_EQ(Take(kStart + absl::Seconds(4)), (std::vector<uint64_t>{1}));
  // Nothing filed at the next tick (5 s to 10 s): a sweep there takes
  // nothing. One in the tick of 11 s and 14 s takes both (a little early).
  EXPECT_EQ(Take(kStart + absl::Seconds(5)), std::vector<uint64_t>{});
  EXPECT_EQ(Take(kStart + absl::Seconds(10)), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(Take(kStart + absl::Seconds(40)), (std::vector<uint64_t>{4}));
  EXPECT_EQ(Take(kStart + absl::Minutes(59)), std::vector<uint64_t>{});
  EXPECT_EQ(Take(kStart + absl::Hours(1)), (std::vector<uint64_t>{5}));
  EXPECT_EQ(schedule_.size(), 1u);
}

TEST_F(SweepScheduleTest, AdvanceOnlyMovesEarlierAndUnscheduleKeepsTheRest) {
  schedule_.Start(kStart);
  std::vector<Connection*> c;
  for (int i = 0; i < 5; ++i) {
    c.push_back(Make());
    schedule_.Schedule(c[i], c[i]->schedule_slot(), kStart + absl::Minutes(1));
  }
  schedule_.Advance(c[0], c[0]->schedule_slot(), kStart + absl::Seconds(10));
  schedule_.Advance(c[1], c[1]->schedule_slot(), kStart + absl::Minutes(9));
  // Removing from the middle of a bucket moves its last entry there.
  schedule_.Unschedule(c[2]->schedule_slot());
  schedule_.Unschedule(c[2]->schedule_slot());  // a second time: no-op
  EXPECT_EQ(schedule_.size(), 4u);
  EXPECT_EQ(Take(kStart + absl::Seconds(10)), (std::vector<uint64_t>{1}));
  EXPECT_EQ(Take(kStart + absl::Minutes(1)), (std::vector<uint64_t>{2, 4, 5}));
}

TEST_F(SweepScheduleTest, LateFilingsAndFarDeadlinesAreStillTaken) {
  schedule_.Start(kStart);
  Connection* past = Make();
  Connection* far = Make();
  schedule_.Schedule(past, past->schedule_slot(), kStart + absl::Seconds(20));
  EXPECT_EQ(Take(kStart + absl::Seconds(20)), (std::vector<uint64_t>{1}));
  // Due before the last sweep: filed for the next one.
  schedule_.Schedule(past, past->schedule_slot(), kStart);
  // Beyond the wheel (1024 ticks): filed at its horizon, taken there.
  schedule_.Schedule(far, far->schedule_slot(), kStart + absl::Hours(100));
  EXPECT_EQ(Take(kStart + absl::Seconds(25)), (std::vector<uint64_t>{1}));
  EXPECT_EQ(Take(kStart + absl::Hours(1)), std::vector<uint64_t>{});
  EXPECT_EQ(Take(kStart + absl::Hours(2)), (std::vector<uint64_t>{2}));
  // A jump of more than the wheel takes everything filed.
  schedule_.Schedule(far, far->schedule_slot(), kStart + absl::Hours(3));
  schedule_.Schedule(past, past->schedule_slot(), kStart + absl::Hours(2));
  EXPECT_EQ(Take(kStart + absl::Hours(50)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(schedule_.size(), 0u);
}

}  // namespace
}  // namespace tcpstate
