#include "analyzer/sweep_schedule.h"

#include <algorithm>

#include "analyzer/connection.h"

namespace tcpstate {

SweepSchedule::SweepSchedule(absl::Duration tick)
    : tick_(std::max(tick, absl::Nanoseconds(1))), buckets_(kWheel) {}

uint32_t SweepSchedule::TickOf(absl::Time t) const {
  if (t <= absl::UnixEpoch()) {
    return 0;
  }
  absl::Duration rem;
  const int64_t ticks = absl::IDivDuration(t - absl::UnixEpoch(), tick_, &rem);
  return static_cast<uint32_t>(
      std::min<int64_t>(ticks, ScheduleSlot::kNone - kWheel - 1));
}

uint32_t SweepSchedule::Clamp(uint32_t tick) const {
  return std::min(std::max(tick, next_tick_), next_tick_ + kWheel - 1);
}

void SweepSchedule::Insert(Connection* conn, ScheduleSlot& slot,
                           uint32_t tick) {
  std::vector<Connection*>& bucket = buckets_[tick % kWheel];
  slot.tick = tick;
  slot.index = static_cast<uint32_t>(bucket.size());
  bucket.push_back(conn);
  ++size_;
}

void SweepSchedule::Start(absl::Time now) {
  if (!started_) {
    started_ = true;
    next_tick_ = TickOf(now);
  }
}

void SweepSchedule::Schedule(Connection* conn, ScheduleSlot& slot,
                             absl::Time due) {
  Start(due);
  const uint32_t tick = Clamp(TickOf(due));
  if (slot.tick == tick) {
    return;
  }
  Unschedule(slot);
  Insert(conn, slot, tick);
}

void SweepSchedule::Advance(Connection* conn, ScheduleSlot& slot,
                            absl::Time due) {
  if (slot.tick == ScheduleSlot::kNone || !started_) {
    Schedule(conn, slot, due);
    return;
  }
  const uint32_t tick = Clamp(TickOf(due));
  if (tick < slot.tick) {
    Unschedule(slot);
    Insert(conn, slot, tick);
  }
}

void SweepSchedule::Unschedule(ScheduleSlot& slot) {
  if (slot.tick == ScheduleSlot::kNone) {
    return;
  }
  std::vector<Connection*>& bucket = buckets_[slot.tick % kWheel];
  Connection* last = bucket.back();
  bucket[slot.index] = last;
  last->schedule_slot().index = slot.index;
  bucket.pop_back();
  slot.tick = ScheduleSlot::kNone;
  --size_;
}

void SweepSchedule::TakeDue(absl::Time now, std::vector<Connection*>& out) {
  Start(now);
  const uint32_t now_tick = TickOf(now);
  if (now_tick < next_tick_) {
    return;
  }
  const uint32_t last = std::min(now_tick, next_tick_ + kWheel - 1);
  for (uint32_t tick = next_tick_; tick <= last; ++tick) {
    std::vector<Connection*>& bucket = buckets_[tick % kWheel];
    for (Connection* conn : bucket) {
      conn->schedule_slot().tick = ScheduleSlot::kNone;
    }
    size_ -= bucket.size();
    out.insert(out.end(), bucket.begin(), bucket.end());
    bucket.clear();
  }
  next_tick_ = now_tick + 1;
}

void SweepSchedule::Clear() {
  for (std::vector<Connection*>& bucket : buckets_) {
    for (Connection* conn : bucket) {
      conn->schedule_slot().tick = ScheduleSlot::kNone;
    }
    bucket.clear();
  }
  size_ = 0;
}

void SweepSchedule::DropAll() {
  for (std::vector<Connection*>& bucket : buckets_) {
    bucket.clear();
  }
  size_ = 0;
}

}  // namespace tcpstate
