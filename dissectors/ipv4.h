#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// IP protocol numbers the dissectors act on.
struct IpProtocol {
  static constexpr uint8_t kHopByHop = 0;
  static constexpr uint8_t kTcp = 6;
  static constexpr uint8_t kRouting = 43;
  static constexpr uint8_t kFragment = 44;
  static constexpr uint8_t kEsp = 50;
  static constexpr uint8_t kAh = 51;
  static constexpr uint8_t kNoNextHeader = 59;
  static constexpr uint8_t kDestinationOptions = 60;
};

// A validated IPv4 header (RFC 791) over captured bytes.
//
// Length rules: a total length smaller than the header is malformed; one
// larger than the captured bytes is snaplen truncation (payload() is then
// shorter than payload_length()); bytes past the total length (Ethernet
// padding) are dropped. A total length of 0 with bytes after the header is
// what host-side captures of TSO/GSO super-segments show: the captured
// length is used instead and zero_total_length() is set.
class Ipv4View {
 public:
  static constexpr size_t kMinHeaderSize = 20;

  // Errors: kIpv4Truncated, kIpv4BadVersion, kIpv4BadHeaderLength,
  // kIpv4BadTotalLength.
  static ParseResult<Ipv4View> Parse(absl::Span<const uint8_t> bytes);

  size_t header_length() const { return header_.size(); }
  // Header plus payload as sent (see zero_total_length()).
  uint32_t total_length() const { return total_length_; }
  bool zero_total_length() const { return zero_total_length_; }
  uint16_t identification() const { return Load16(4); }
  bool dont_fragment() const { return (header_[6] & 0x40) != 0; }
  bool more_fragments() const { return (header_[6] & 0x20) != 0; }
  // Fragment offset in bytes.
  uint32_t fragment_offset() const {
    return static_cast<uint32_t>(Load16(6) & 0x1FFF) * 8;
  }
  bool is_fragment() const {
    return more_fragments() || fragment_offset() != 0;
  }
  uint8_t ttl() const { return header_[8]; }
  uint8_t protocol() const { return header_[9]; }
  uint16_t header_checksum() const { return Load16(10); }
  absl::Span<const uint8_t> source() const { return header_.subspan(12, 4); }
  absl::Span<const uint8_t> destination() const {
    return header_.subspan(16, 4);
  }
  absl::Span<const uint8_t> options() const {
    return header_.subspan(kMinHeaderSize);
  }
  // True when an option length was 0, 1 or ran past the header.
  bool options_malformed() const { return options_malformed_; }

  // Payload length as sent.
  uint32_t payload_length() const {
    return total_length_ - static_cast<uint32_t>(header_.size());
  }
  // The captured part of the payload, without link-layer padding.
  absl::Span<const uint8_t> payload() const { return payload_; }
  bool truncated() const { return payload_.size() < payload_length(); }

 private:
  Ipv4View(absl::Span<const uint8_t> header, absl::Span<const uint8_t> payload,
           uint32_t total_length, bool zero_total_length,
           bool options_malformed)
      : header_(header),
        payload_(payload),
        total_length_(total_length),
        zero_total_length_(zero_total_length),
        options_malformed_(options_malformed) {}

  uint16_t Load16(size_t at) const {
    return static_cast<uint16_t>((header_[at] << 8) | header_[at + 1]);
  }

  absl::Span<const uint8_t> header_;
  absl::Span<const uint8_t> payload_;
  uint32_t total_length_;
  bool zero_total_length_;
  bool options_malformed_;
};

}  // namespace tcpstate
