#include "analyzer/rtt_tracker.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace tcpstate {
namespace {

constexpr int64_t kMaxOffsetNs = std::numeric_limits<uint32_t>::max();

bool Overlaps(SeqNum a_begin, SeqNum a_end, SeqNum b_begin, SeqNum b_end) {
  return a_begin.IsBefore(b_end) && b_begin.IsBefore(a_end);
}

}  // namespace

void RttTracker::Remove(int slot) {
  used_ &= static_cast<uint8_t>(~(1u << slot));
  resent_ &= static_cast<uint8_t>(~(1u << slot));
}

void RttTracker::OnSent(SeqNum seq, uint32_t len, PackedTime t,
                        bool retransmission) {
  const SeqNum end = seq.Plus(len);
  // Karn: every remembered segment this one repeats (in part) is ambiguous
  // from now on.
  bool repeats = false;
  for (int i = 0; i < kSlots; ++i) {
    if ((used_ >> i & 1) != 0 &&
        Overlaps(seq, end, SeqNum(end_[i]).Minus(len_[i]), SeqNum(end_[i]))) {
      resent_ |= static_cast<uint8_t>(1u << i);
      repeats = true;
    }
  }
  if (retransmission || repeats || len > UINT16_MAX) {
    return;
  }
  if (used_ == 0) {
    base_ = t;
  }
  int64_t offset = (t - base_) / absl::Nanoseconds(1);
  if (offset > kMaxOffsetNs) {
    Rebase(t);
    offset = (t - base_) / absl::Nanoseconds(1);
  }
  if (offset < 0) {
    return;  // stamped before segments already waiting: not timed
  }
  // A free slot, else the newest segment's: the oldest in flight are
  // acknowledged (and their slots freed) first, and the newest is the one
  // a cumulative ACK after a burst names by its end.
  int slot = -1;
  int newest = 0;
  for (int i = 0; i < kSlots && slot < 0; ++i) {
    if ((used_ >> i & 1) == 0) {
      slot = i;
    } else if (sent_ns_[i] >= sent_ns_[newest]) {
      newest = i;
    }
  }
  slot = slot < 0 ? newest : slot;
  used_ |= static_cast<uint8_t>(1u << slot);
  resent_ &= static_cast<uint8_t>(~(1u << slot));
  end_[slot] = end.value();
  len_[slot] = static_cast<uint16_t>(len);
  sent_ns_[slot] = static_cast<uint32_t>(offset);
}

void RttTracker::OnAck(SeqNum ack, PackedTime t) {
  if (used_ == 0) {
    return;  // nothing waiting for an ACK: the common pure-ACK case
  }
  const int64_t now = (t - base_) / absl::Nanoseconds(1);
  for (int i = 0; i < kSlots; ++i) {
    if ((used_ >> i & 1) == 0 || SeqNum(end_[i]).IsAfter(ack)) {
      continue;  // free, or not yet acknowledged
    }
    if (SeqNum(end_[i]) == ack && (resent_ >> i & 1) == 0 &&
        now >= sent_ns_[i]) {
      Add(now - sent_ns_[i]);
    }
    Remove(i);
  }
}

void RttTracker::Rebase(PackedTime t) {
  // Slots sent 4.29 s or more before `t` cannot share a base with it: they
  // give way to the segment sent now.
  const int64_t now = (t - base_) / absl::Nanoseconds(1);
  int64_t oldest = now;
  for (int i = 0; i < kSlots; ++i) {
    if ((used_ >> i & 1) != 0 && now - sent_ns_[i] > kMaxOffsetNs) {
      Remove(i);
    } else if ((used_ >> i & 1) != 0) {
      oldest = std::min<int64_t>(oldest, sent_ns_[i]);
    }
  }
  for (int i = 0; i < kSlots; ++i) {
    sent_ns_[i] = (used_ >> i & 1) != 0
                      ? static_cast<uint32_t>(sent_ns_[i] - oldest)
                      : 0;
  }
  base_ = base_ + absl::Nanoseconds(oldest);
}

void RttTracker::Add(int64_t ns) {
  ++count_;
  min_ns_ = count_ == 1 ? ns : std::min(min_ns_, ns);
  max_ns_ = std::max(max_ns_, ns);
  const double x = static_cast<double>(ns);
  const double delta = x - mean_ns_;
  mean_ns_ += delta / count_;
  m2_ = static_cast<float>(m2_ + delta * (x - mean_ns_));
}

absl::Duration RttTracker::min() const { return absl::Nanoseconds(min_ns_); }

absl::Duration RttTracker::max() const { return absl::Nanoseconds(max_ns_); }

absl::Duration RttTracker::mean() const {
  return absl::Nanoseconds(std::llround(mean_ns_));
}

absl::Duration RttTracker::stddev() const {
  return count_ == 0 ? absl::ZeroDuration()
                     : absl::Nanoseconds(std::llround(std::sqrt(m2_ / count_)));
}

}  // namespace tcpstate
