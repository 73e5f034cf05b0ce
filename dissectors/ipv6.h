#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// The upper layer of a reassembled IPv6 packet's fragmentable part: the
// extension headers that followed the fragment header walked (as in
// Ipv6View), then the protocol and bytes they lead to. `final_destination`
// is empty unless a routing header there names one.
struct Ipv6UpperLayer {
  uint8_t protocol = 0;
  absl::Span<const uint8_t> payload;
  absl::Span<const uint8_t> final_destination;
};

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
  static constexpr uint32_t kFragmentHeaderSize = 8;

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
  // More than one means a malformed chain (RFC 8200 4.1: at most once);
  // the fragment accessors then describe the last one.
  size_t fragment_header_count() const { return fragment_headers_; }
  // The fragment header's Identification and Next Header (RFC 8200 4.5).
  uint32_t fragment_identification() const { return fragment_id_; }
  uint8_t fragment_next_header() const { return fragment_next_; }
  // Length of the unfragmentable part: the extension headers before the
  // fragment header (what a reassembled packet keeps of them).
  size_t unfragmentable_length() const { return unfragmentable_length_; }
  // The fragment's data as captured: the bytes after the fragment header,
  // up to the payload length; and its length as sent.
  absl::Span<const uint8_t> fragment_data() const { return fragment_data_; }
  uint32_t fragment_data_length() const {
    return payload_length_ - static_cast<uint32_t>(unfragmentable_length_) -
           kFragmentHeaderSize;
  }

  // Upper-layer length as sent, and the captured part of it.
  uint32_t upper_length() const {
    return payload_length_ - static_cast<uint32_t>(extension_length_);
  }
  absl::Span<const uint8_t> upper_payload() const { return upper_payload_; }
  bool truncated() const { return upper_payload_.size() < upper_length(); }

 private:
  struct Chain;  // the result of the extension-header walk
  friend ParseResult<Ipv6UpperLayer> ParseIpv6UpperLayer(
      uint8_t next_header, absl::Span<const uint8_t> bytes);
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
  uint32_t fragment_id_ = 0;
  size_t fragment_headers_ = 0;
  uint8_t fragment_next_ = 0;
  size_t unfragmentable_length_ = 0;
  absl::Span<const uint8_t> fragment_data_;
};


// Walks `bytes`, whose first header is `next_header`. Errors as
// Ipv6View::Parse; a second fragment header is kIpv6BadPayloadLength.
ParseResult<Ipv6UpperLayer> ParseIpv6UpperLayer(
    uint8_t next_header, absl::Span<const uint8_t> bytes);

}  // namespace tcpstate
