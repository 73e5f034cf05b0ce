#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/base/internal/endian.h"

#include "absl/types/span.h"

namespace tcpstate {

// An IPv4 or IPv6 address held by value (IPv4 stored in the first 4 bytes).
class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order);
  // `bytes` must hold exactly 4 (IPv4) or 16 (IPv6) bytes in network order.
  static IpAddress FromBytes(absl::Span<const uint8_t> bytes);

  bool is_v6() const { return is_v6_; }
  // All 16 bytes (an IPv4 address is followed by 12 zero bytes): for hashing.
  const std::array<uint8_t, 16>& raw() const { return bytes_; }
  absl::Span<const uint8_t> bytes() const {
    return absl::MakeConstSpan(bytes_.data(), is_v6_ ? 16 : 4);
  }

  // Canonical text: dotted quad, or RFC 5952 compressed IPv6.
  std::string ToString() const;

  // Total order: IPv4 before IPv6, then bytewise. Both compare the bytes
  // as two 64-bit words (every packet's flow key takes them).
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.is_v6_ != b.is_v6_) {
      return !a.is_v6_;
    }
    const uint64_t a0 = a.BigEndianWord(0), b0 = b.BigEndianWord(0);
    if (a0 != b0) {
      return a0 < b0;
    }
    return a.BigEndianWord(1) < b.BigEndianWord(1);
  }
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.is_v6_ == b.is_v6_ && a.Word(0) == b.Word(0) &&
           a.Word(1) == b.Word(1);
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) {
    return !(a == b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.is_v6_, a.bytes_);
  }

 private:
  // Bytes [8i, 8i + 8) as a host-order word (equality only), or read
  // big-endian (whose order is the bytewise order).
  uint64_t Word(int i) const {
    uint64_t w;
    std::memcpy(&w, bytes_.data() + 8 * i, sizeof(w));
    return w;
  }
  uint64_t BigEndianWord(int i) const {
    return absl::big_endian::Load64(bytes_.data() + 8 * i);
  }

  std::array<uint8_t, 16> bytes_{};
  bool is_v6_ = false;
};

}  // namespace tcpstate
