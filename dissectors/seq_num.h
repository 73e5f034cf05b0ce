#pragma once

#include <cstdint>

namespace tcpstate {

// A TCP sequence number: arithmetic and comparisons modulo 2^32 (RFC 9293
// section 3.4, "serial number arithmetic"). There is deliberately no
// operator< so that no code can compare sequence numbers as plain integers.
class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(uint32_t v) : v_(v) {}

  constexpr uint32_t value() const { return v_; }

  constexpr SeqNum Plus(uint32_t n) const { return SeqNum(v_ + n); }
  constexpr SeqNum Minus(uint32_t n) const { return SeqNum(v_ - n); }

  // Signed distance from this to `later` (later - this), in (-2^31, 2^31].
  constexpr int32_t DistanceTo(SeqNum later) const {
    return static_cast<int32_t>(later.v_ - v_);
  }
  // Unsigned forward distance, useful once ordering is known.
  constexpr uint32_t ForwardDistanceTo(SeqNum later) const {
    return later.v_ - v_;
  }

  constexpr bool IsBefore(SeqNum o) const { return DistanceTo(o) > 0; }
  constexpr bool IsAfter(SeqNum o) const { return o.IsBefore(*this); }
  constexpr bool IsBeforeOrEqual(SeqNum o) const { return !IsAfter(o); }
  constexpr bool IsAfterOrEqual(SeqNum o) const { return !IsBefore(o); }

  // True when begin <= *this < end (modular); an empty range holds nothing.
  constexpr bool InRange(SeqNum begin, SeqNum end) const {
    return begin.ForwardDistanceTo(*this) < begin.ForwardDistanceTo(end);
  }
  // True when begin <= *this <= end (modular).
  constexpr bool InClosedRange(SeqNum begin, SeqNum end) const {
    return begin.ForwardDistanceTo(*this) <= begin.ForwardDistanceTo(end);
  }

  friend constexpr bool operator==(SeqNum a, SeqNum b) { return a.v_ == b.v_; }
  friend constexpr bool operator!=(SeqNum a, SeqNum b) { return a.v_ != b.v_; }

 private:
  uint32_t v_ = 0;
};

// Returns whichever of a, b is later in sequence space.
constexpr SeqNum SeqMax(SeqNum a, SeqNum b) { return a.IsAfter(b) ? a : b; }

}  // namespace tcpstate
