#pragma once

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace tcpstate {

class Connection;

// Where a connection sits in the SweepSchedule (kept in the connection, so
// that removal is O(1)).
struct ScheduleSlot {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t tick = kNone;  // the sweep tick it is due at, or kNone
  uint32_t index = 0;     // its position in that tick's bucket
};

// The connections an expiry sweep must look at, by the capture time they
// next need it: a timer wheel of sweep-interval ticks (a tick is the
// interval since the Unix epoch, so a sweep, which runs at least one
// interval after the previous, always starts a new tick).
//
// A sweep takes every connection due at or before its tick; looking at one
// early is harmless (nothing happens to it), so a connection may be filed
// earlier than it is due, and deadlines beyond the wheel's horizon are
// filed at the horizon and looked at again there. Connections not taken
// are left alone: the sweep costs what is due, not the table's size.
class SweepSchedule {
 public:
  explicit SweepSchedule(absl::Duration tick);

  // The capture time filing starts from (the first packet's); later calls
  // do nothing. Until then, Schedule and Advance start it at `due`.
  void Start(absl::Time now);

  // Files `conn` (with `slot`, its ScheduleSlot) at the tick of `due`, or
  // the first tick not yet taken when that is later. Moves it if it was
  // filed elsewhere.
  void Schedule(Connection* conn, ScheduleSlot& slot, absl::Time due);
  // Files it earlier if `due` comes before its current tick; otherwise
  // leaves it (a later look reschedules it).
  void Advance(Connection* conn, ScheduleSlot& slot, absl::Time due);
  void Unschedule(ScheduleSlot& slot);
  // Takes (unfiles) every connection filed at or before the tick of `now`.
  void TakeDue(absl::Time now, std::vector<Connection*>& out);
  // Unfiles everything.
  void Clear();
  // Unfiles everything without touching the connections' slots: only when
  // every filed connection is about to be destroyed.
  void DropAll();
  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kWheel = 1024;  // ticks covered
  uint32_t TickOf(absl::Time t) const;
  uint32_t Clamp(uint32_t tick) const;
  void Insert(Connection* conn, ScheduleSlot& slot, uint32_t tick);

  absl::Duration tick_;
  bool started_ = false;
  uint32_t next_tick_ = 0;  // the first tick not yet taken
  size_t size_ = 0;
  std::vector<std::vector<Connection*>> buckets_;
};

}  // namespace tcpstate
