#include "dissectors/ethernet.h"

#include <optional>

#include "dissectors/byte_reader.h"

namespace tcpstate {

NetworkProtocol NetworkFromEtherType(uint16_t ether_type) {
  switch (ether_type) {
    case EtherType::kIpv4:
      return NetworkProtocol::kIpv4;
    case EtherType::kIpv6:
      return NetworkProtocol::kIpv6;
    default:
      return NetworkProtocol::kOther;
  }
}

namespace {

constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;
constexpr size_t kPppoeHeaderSize = 6;  // RFC 2516 section 4

NetworkProtocol NetworkFromVersionNibble(uint8_t first_byte) {
  switch (first_byte >> 4) {
    case 4:
      return NetworkProtocol::kIpv4;
    case 6:
      return NetworkProtocol::kIpv6;
    default:
      return NetworkProtocol::kOther;  // e.g. an Ethernet pseudowire
  }
}

}  // namespace

std::optional<DecodeError> VlanStack::ParseShim() {
  ByteReader reader(payload_);
  if (ether_type_ == EtherType::kPppoeSession) {
    // Version/type, code, session id, then the payload length.
    const bool header = reader.Skip(kPppoeHeaderSize - 2);
    const std::optional<uint16_t> length = reader.ReadU16();
    const std::optional<uint16_t> ppp = reader.ReadU16();
    if (!header || !length.has_value() || !ppp.has_value()) {
      return DecodeError::kPppoeTruncated;
    }
    // The length counts the PPP protocol field; less than that is no
    // packet at all (the IP layer then finds it truncated).
    declared_length_ = *length >= 2 ? uint32_t{*length} - 2 : 0;
    network_ = *ppp == kPppIpv4   ? NetworkProtocol::kIpv4
               : *ppp == kPppIpv6 ? NetworkProtocol::kIpv6
                                  : NetworkProtocol::kOther;
    payload_ = reader.rest();
    return std::nullopt;
  }
  // MPLS (RFC 3032): 4-byte labels until the bottom-of-stack bit; the
  // payload type is not signalled, so the IP version nibble decides.
  for (size_t labels = 0;; ++labels) {
    if (labels == kMaxMplsLabels) {
      return DecodeError::kMplsTooManyLabels;
    }
    const std::optional<uint32_t> entry = reader.ReadU32();
    if (!entry.has_value()) {
      return DecodeError::kMplsTruncated;
    }
    if ((*entry & 0x100) != 0) {
      break;
    }
  }
  if (reader.remaining() == 0) {
    return DecodeError::kMplsTruncated;
  }
  payload_ = reader.rest();
  network_ = NetworkFromVersionNibble(payload_[0]);
  return std::nullopt;
}

ParseResult<VlanStack> VlanStack::Parse(uint16_t ether_type,
                                        absl::Span<const uint8_t> after) {
  VlanStack stack;
  ByteReader reader(after);
  // 802.1ah (4-byte I-TAG, then the customer's MAC addresses) and VN-Tag
  // (4 bytes) are stepped over wherever they appear among the tags; they
  // count towards the tag cap.
  size_t others = 0;
  while (ether_type == EtherType::kPbb || ether_type == EtherType::kVnTag ||
         EtherType::IsVlanTag(ether_type)) {
    if (stack.tag_count_ + others == kMaxTags) {
      return ParseResult<VlanStack>::Error(DecodeError::kVlanTooManyTags);
    }
    if (!EtherType::IsVlanTag(ether_type)) {
      const size_t skip = ether_type == EtherType::kPbb ? 4 + 12 : 4;
      const bool skipped = reader.Skip(skip);
      const std::optional<uint16_t> inner = reader.ReadU16();
      if (!skipped || !inner.has_value()) {
        return ParseResult<VlanStack>::Error(DecodeError::kVlanTruncated);
      }
      ++others;
      ether_type = *inner;
      continue;
    }
    if (stack.tag_count_ == kMaxTags) {
      return ParseResult<VlanStack>::Error(DecodeError::kVlanTooManyTags);
    }
    const std::optional<uint16_t> tci = reader.ReadU16();
    const std::optional<uint16_t> inner = reader.ReadU16();
    if (!tci.has_value() || !inner.has_value()) {
      return ParseResult<VlanStack>::Error(DecodeError::kVlanTruncated);
    }
    stack.ids_[stack.tag_count_] = *tci & 0x0FFF;
    stack.tpids_[stack.tag_count_] = ether_type;
    ++stack.tag_count_;
    ether_type = *inner;
  }
  stack.ether_type_ = ether_type;
  stack.network_ = NetworkFromEtherType(ether_type);
  stack.payload_ = reader.rest();
  if (ether_type == EtherType::kPppoeSession ||
      ether_type == EtherType::kMplsUnicast ||
      ether_type == EtherType::kMplsMulticast) {
    const std::optional<DecodeError> error = stack.ParseShim();
    if (error.has_value()) {
      return ParseResult<VlanStack>::Error(*error);
    }
  }
  return ParseResult<VlanStack>::Ok(stack);
}

ParseResult<EthernetView> EthernetView::Parse(
    absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  if (!reader.Skip(12)) {
    return ParseResult<EthernetView>::Error(DecodeError::kLinkTruncated);
  }
  const std::optional<uint16_t> type = reader.ReadU16();
  if (!type.has_value()) {
    return ParseResult<EthernetView>::Error(DecodeError::kLinkTruncated);
  }
  const ParseResult<VlanStack> vlans = VlanStack::Parse(*type, reader.rest());
  if (!vlans.ok()) {
    return ParseResult<EthernetView>::Error(vlans.error());
  }
  return ParseResult<EthernetView>::Ok(EthernetView(bytes, vlans.view()));
}

}  // namespace tcpstate
