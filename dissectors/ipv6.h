#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// A validated IPv6 header (RFC 8200) with its extension-header chain walked
// (hop-by-hop, routing, fragment, destination options, AH) up to the first
// other header, which upper_protocol() names. At most kMaxExtensionHeaders
// are walked. Walking stops at a non-first fragment: what follows it is
// fragment data, not headers.
//
// Length rules mirror Ipv4View: a payload length larger than the capture is
// truncation; bytes past it are dropped; a payload length of 0 with bytes
// after the header (jumbogram or GSO on a host-side capture) means the
// captured length, and zero_payload_length() is set.
class Ipv6View {
 public:
  static constexpr size_t kHeaderSize = 40;
  static constexpr size_t kMaxExtensionHeaders = 8;

  // Errors: kIpv6Truncated, kIpv6BadVersion, kIpv6BadPayloadLength (an
  // extension header runs past the payload length), kIpv6ExtTruncated,
  // kIpv6TooManyExtHeaders.
  static ParseResult<Ipv6View> Parse(absl::Span<const uint8_t> bytes);

  uint8_t traffic_class() const {
    return static_cast<uint8_t>(((header_[0] & 0x0F) << 4) | (header_[1] >> 4));
  }
  uint8_t hop_limit() const { return header_[7]; }
  absl::Span<const uint8_t> source() const { return header_.subspan(8, 16); }
  absl::Span<const uint8_t> destination() const {
    return header_.subspan(24, 16);
  }
  // The address the upper-layer pseudo-header uses: the last routing-header
  // address when segments remain, otherwise destination().
  absl::Span<const uint8_t> final_destination() const {
    return final_destination_;
  }

  // Payload length as sent (extension headers included).
  uint32_t payload_length() const { return payload_length_; }
  bool zero_payload_length() const { return zero_payload_length_; }

  size_t extension_header_count() const { return extension_count_; }
  size_t extension_headers_length() const { return extension_length_; }
  uint8_t upper_protocol() const { return upper_protocol_; }

  bool is_fragment() const { return is_fragment_; }
  uint32_t fragment_offset() const { return fragment_offset_; }  // bytes
  bool more_fragments() const { return more_fragments_; }

  // Upper-layer length as sent, and the captured part of it.
  uint32_t upper_length() const {
    return payload_length_ - static_cast<uint32_t>(extension_length_);
  }
  absl::Span<const uint8_t> upper_payload() const { return upper_payload_; }
  bool truncated() const { return upper_payload_.size() < upper_length(); }

 private:
  struct Chain;  // the result of the extension-header walk
  Ipv6View() = default;
  // Fills `chain`; returns nullopt or the reason the walk failed.
  static std::optional<DecodeError> WalkChain(
      absl::Span<const uint8_t> payload, uint32_t declared, Chain& chain);

  absl::Span<const uint8_t> header_;
  absl::Span<const uint8_t> final_destination_;
  absl::Span<const uint8_t> upper_payload_;
  uint32_t payload_length_ = 0;
  bool zero_payload_length_ = false;
  size_t extension_count_ = 0;
  size_t extension_length_ = 0;
  uint8_t upper_protocol_ = 0;
  bool is_fragment_ = false;
  bool more_fragments_ = false;
  uint32_t fragment_offset_ = 0;
};

}  // namespace tcpstate
