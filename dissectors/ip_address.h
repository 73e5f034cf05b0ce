#pragma once

#include <array>
#include <cstdint>
#include <string>

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

  // Total order: IPv4 before IPv6, then bytewise.
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.is_v6_ != b.is_v6_) {
      return !a.is_v6_;
    }
    return a.bytes_ < b.bytes_;
  }
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.is_v6_ == b.is_v6_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) {
    return !(a == b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.is_v6_, a.bytes_);
  }

 private:
  std::array<uint8_t, 16> bytes_{};
  bool is_v6_ = false;
};

}  // namespace tcpstate
