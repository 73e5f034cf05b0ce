#pragma once

#include <cstdint>
#include <limits>

#include "absl/time/time.h"

namespace tcpstate {

// A capture time stored in 8 bytes (absl::Time takes 16): nanoseconds since
// the Unix epoch, with the infinities kept. Per-connection state holds
// many times, so this halves their cost. Converts implicitly both ways, so
// code computes with absl::Time and absl::Duration as before.
//
// Packet timestamps are whole nanoseconds and are stored exactly. A time
// with a fraction of a nanosecond (AssumptionTimes, a multiple of a
// retransmission gap) is rounded up, which keeps "a > n" and "a <= n"
// against any whole-nanosecond time n exactly as they were (ceil(a) > n
// iff a > n): the only comparisons such a time takes part in.
class PackedTime {
 public:
  constexpr PackedTime() = default;  // the Unix epoch, like absl::Time()
  PackedTime(absl::Time t) : ns_(Pack(t)) {}  // NOLINT: implicit on purpose
  // Nanoseconds since the epoch (a finite time only).
  int64_t unix_nanos() const { return ns_; }
  operator absl::Time() const {               // NOLINT
    if (ns_ == kPast) {
      return absl::InfinitePast();
    }
    if (ns_ == kFuture) {
      return absl::InfiniteFuture();
    }
    return absl::FromUnixNanos(ns_);
  }

 private:
  static constexpr int64_t kPast = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kFuture = std::numeric_limits<int64_t>::max();

  static int64_t Pack(absl::Time t) {
    if (t == absl::InfinitePast()) {
      return kPast;
    }
    if (t == absl::InfiniteFuture()) {
      return kFuture;
    }
    int64_t ns = absl::ToUnixNanos(t);  // rounds down
    if (absl::FromUnixNanos(ns) < t && ns < kFuture - 1) {
      ++ns;
    }
    return ns;
  }

  int64_t ns_ = 0;

  // Two packed times together (mixed with absl::Time, absl's own
  // operators apply through the conversion).
  friend absl::Duration operator-(PackedTime a, PackedTime b) {
    return absl::Time(a) - absl::Time(b);
  }
  friend bool operator<(PackedTime a, PackedTime b) { return a.ns_ < b.ns_; }
  friend bool operator>(PackedTime a, PackedTime b) { return a.ns_ > b.ns_; }
  friend bool operator<=(PackedTime a, PackedTime b) { return a.ns_ <= b.ns_; }
  friend bool operator>=(PackedTime a, PackedTime b) { return a.ns_ >= b.ns_; }
  friend bool operator==(PackedTime a, PackedTime b) { return a.ns_ == b.ns_; }
  friend bool operator!=(PackedTime a, PackedTime b) { return a.ns_ != b.ns_; }
  // Mixed with absl::Time: exact overloads, so neither conversion is
  // ambiguous.
  friend absl::Duration operator-(PackedTime a, absl::Time b) {
    return absl::Time(a) - b;
  }
  friend absl::Duration operator-(absl::Time a, PackedTime b) {
    return a - absl::Time(b);
  }
  friend bool operator<(PackedTime a, absl::Time b) { return absl::Time(a) < b; }
  friend bool operator<(absl::Time a, PackedTime b) { return a < absl::Time(b); }
  friend bool operator>(PackedTime a, absl::Time b) { return absl::Time(a) > b; }
  friend bool operator>(absl::Time a, PackedTime b) { return a > absl::Time(b); }
  friend bool operator<=(PackedTime a, absl::Time b) {
    return absl::Time(a) <= b;
  }
  friend bool operator<=(absl::Time a, PackedTime b) {
    return a <= absl::Time(b);
  }
  friend bool operator>=(PackedTime a, absl::Time b) {
    return absl::Time(a) >= b;
  }
  friend bool operator>=(absl::Time a, PackedTime b) {
    return a >= absl::Time(b);
  }
  friend bool operator==(PackedTime a, absl::Time b) {
    return absl::Time(a) == b;
  }
  friend bool operator==(absl::Time a, PackedTime b) {
    return a == absl::Time(b);
  }
  friend bool operator!=(PackedTime a, absl::Time b) {
    return absl::Time(a) != b;
  }
  friend bool operator!=(absl::Time a, PackedTime b) {
    return a != absl::Time(b);
  }
  friend absl::Time operator+(PackedTime a, absl::Duration d) {
    return absl::Time(a) + d;
  }
  friend absl::Time operator-(PackedTime a, absl::Duration d) {
    return absl::Time(a) - d;
  }
};

// A duration stored in 8 bytes: whole nanoseconds (the differences of
// capture times), the infinities kept.
class PackedDuration {
 public:
  constexpr PackedDuration() = default;  // zero
  PackedDuration(absl::Duration d) : ns_(Pack(d)) {}  // NOLINT
  operator absl::Duration() const {                   // NOLINT
    if (ns_ == kMinusInfinity) {
      return -absl::InfiniteDuration();
    }
    if (ns_ == kInfinity) {
      return absl::InfiniteDuration();
    }
    return absl::Nanoseconds(ns_);
  }

 private:
  static constexpr int64_t kMinusInfinity = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kInfinity = std::numeric_limits<int64_t>::max();

  static int64_t Pack(absl::Duration d) {
    if (d == absl::InfiniteDuration()) {
      return kInfinity;
    }
    if (d == -absl::InfiniteDuration()) {
      return kMinusInfinity;
    }
    return absl::ToInt64Nanoseconds(d);
  }

  int64_t ns_ = 0;
};

}  // namespace tcpstate
