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

ParseResult<VlanStack> VlanStack::Parse(uint16_t ether_type,
                                        absl::Span<const uint8_t> after) {
  VlanStack stack;
  ByteReader reader(after);
  while (EtherType::IsVlanTag(ether_type)) {
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
  stack.payload_ = reader.rest();
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
