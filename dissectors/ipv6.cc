#include "dissectors/ipv6.h"

#include <algorithm>

#include "dissectors/ipv4.h"

namespace tcpstate {
namespace {

constexpr uint8_t kRoutingType0 = 0;       // deprecated source routing
constexpr uint8_t kRoutingType2 = 2;       // Mobile IPv6
constexpr uint8_t kRoutingSegment = 4;     // SRv6 segment routing header
constexpr size_t kAddressSize = 16;

bool IsExtensionHeader(uint8_t next) {
  return next == IpProtocol::kHopByHop || next == IpProtocol::kRouting ||
         next == IpProtocol::kFragment ||
         next == IpProtocol::kDestinationOptions || next == IpProtocol::kAh;
}

// Length in bytes of the extension header starting with `first_two`.
size_t ExtensionLength(uint8_t type, uint8_t length_field) {
  if (type == IpProtocol::kFragment) {
    return 8;
  }
  if (type == IpProtocol::kAh) {
    return (static_cast<size_t>(length_field) + 2) * 4;  // RFC 4302
  }
  return (static_cast<size_t>(length_field) + 1) * 8;
}

// The final destination named by a complete routing header, if any segment
// is left (RFC 8200 8.1); empty when the packet's destination is final.
absl::Span<const uint8_t> RoutingFinalDestination(
    absl::Span<const uint8_t> header) {
  const uint8_t type = header[2];
  const uint8_t segments_left = header[3];
  const absl::Span<const uint8_t> addresses = header.subspan(8);
  if (segments_left == 0 || addresses.size() < kAddressSize) {
    return {};
  }
  if (type == kRoutingType0 || type == kRoutingType2) {
    const size_t count = addresses.size() / kAddressSize;
    return addresses.subspan((count - 1) * kAddressSize, kAddressSize);
  }
  if (type == kRoutingSegment) {
    return addresses.subspan(0, kAddressSize);  // segment list[0] is final
  }
  return {};
}

}  // namespace

struct Ipv6View::Chain {
  uint8_t next = 0;
  size_t count = 0;
  size_t length = 0;
  absl::Span<const uint8_t> final_destination;
  bool is_fragment = false;
  bool more_fragments = false;
  uint32_t fragment_offset = 0;
  uint32_t fragment_id = 0;
  uint8_t fragment_next = 0;
  size_t fragment_at = 0;  // where the (last) fragment header starts
  size_t fragment_headers = 0;
};

std::optional<DecodeError> Ipv6View::WalkChain(
    absl::Span<const uint8_t> payload, uint32_t declared, Chain& chain) {
  while (IsExtensionHeader(chain.next)) {
    if (chain.count == kMaxExtensionHeaders) {
      return DecodeError::kIpv6TooManyExtHeaders;
    }
    const size_t at = chain.length;
    if (at + 2 > declared) {
      return DecodeError::kIpv6BadPayloadLength;
    }
    if (at + 2 > payload.size()) {
      return DecodeError::kIpv6ExtTruncated;
    }
    const size_t length = ExtensionLength(chain.next, payload[at + 1]);
    if (at + length > declared) {
      return DecodeError::kIpv6BadPayloadLength;
    }
    if (at + length > payload.size()) {
      return DecodeError::kIpv6ExtTruncated;
    }
    const absl::Span<const uint8_t> header = payload.subspan(at, length);
    const uint8_t type = chain.next;
    chain.next = header[0];
    chain.length += length;
    ++chain.count;
    if (type == IpProtocol::kRouting) {
      const absl::Span<const uint8_t> final_dst =
          RoutingFinalDestination(header);
      if (!final_dst.empty()) {
        chain.final_destination = final_dst;
      }
    } else if (type == IpProtocol::kFragment) {
      chain.is_fragment = true;
      ++chain.fragment_headers;
      chain.fragment_at = at;
      chain.fragment_next = header[0];
      chain.fragment_id = (static_cast<uint32_t>(header[4]) << 24) |
                          (static_cast<uint32_t>(header[5]) << 16) |
                          (static_cast<uint32_t>(header[6]) << 8) | header[7];
      chain.fragment_offset =
          static_cast<uint32_t>(((header[2] << 8) | header[3]) & 0xFFF8);
      chain.more_fragments = (header[3] & 0x01) != 0;
      if (chain.fragment_offset != 0) {
        break;  // fragment data follows, not headers
      }
    }
  }
  return std::nullopt;
}

ParseResult<Ipv6View> Ipv6View::Parse(absl::Span<const uint8_t> bytes) {
  using Result = ParseResult<Ipv6View>;
  if (bytes.empty()) {
    return Result::Error(DecodeError::kIpv6Truncated);
  }
  if ((bytes[0] >> 4) != 6) {
    return Result::Error(DecodeError::kIpv6BadVersion);
  }
  if (bytes.size() < kHeaderSize) {
    return Result::Error(DecodeError::kIpv6Truncated);
  }
  Ipv6View view;
  view.header_ = bytes.subspan(0, kHeaderSize);
  view.payload_length_ = static_cast<uint32_t>((bytes[4] << 8) | bytes[5]);
  const size_t captured = bytes.size() - kHeaderSize;
  if (view.payload_length_ == 0 && captured > 0) {
    view.payload_length_ = static_cast<uint32_t>(captured);
    view.zero_payload_length_ = true;
  }
  const absl::Span<const uint8_t> payload = bytes.subspan(
      kHeaderSize, std::min<size_t>(captured, view.payload_length_));
  Chain chain;
  chain.next = bytes[6];
  chain.final_destination = view.destination();
  const std::optional<DecodeError> error =
      WalkChain(payload, view.payload_length_, chain);
  if (error.has_value()) {
    return Result::Error(*error);
  }
  view.final_destination_ = chain.final_destination;
  view.extension_count_ = chain.count;
  view.extension_length_ = chain.length;
  view.upper_protocol_ = chain.next;
  view.is_fragment_ = chain.is_fragment;
  view.more_fragments_ = chain.more_fragments;
  view.fragment_offset_ = chain.fragment_offset;
  view.upper_payload_ = payload.subspan(chain.length);
  if (chain.is_fragment) {
    view.fragment_headers_ = chain.fragment_headers;
    view.fragment_id_ = chain.fragment_id;
    view.fragment_next_ = chain.fragment_next;
    view.unfragmentable_length_ = chain.fragment_at;
    view.fragment_data_ =
        payload.subspan(std::min(payload.size(),
                                 chain.fragment_at + kFragmentHeaderSize));
  }
  return Result::Ok(view);
}

ParseResult<Ipv6UpperLayer> ParseIpv6UpperLayer(
    uint8_t next_header, absl::Span<const uint8_t> bytes) {
  using Result = ParseResult<Ipv6UpperLayer>;
  Ipv6View::Chain chain;
  chain.next = next_header;
  const std::optional<DecodeError> error = Ipv6View::WalkChain(
      bytes, static_cast<uint32_t>(bytes.size()), chain);
  if (error.has_value()) {
    return Result::Error(*error);
  }
  if (chain.is_fragment) {
    return Result::Error(DecodeError::kIpv6BadPayloadLength);
  }
  Ipv6UpperLayer upper;
  upper.protocol = chain.next;
  upper.payload = bytes.subspan(chain.length);
  upper.final_destination = chain.final_destination;
  return Result::Ok(upper);
}

}  // namespace tcpstate
