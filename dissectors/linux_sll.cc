#include "dissectors/linux_sll.h"

#include <optional>

#include "dissectors/byte_reader.h"

namespace tcpstate {

ParseResult<SllView> SllView::Parse(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const std::optional<uint16_t> packet_type = reader.ReadU16();
  const std::optional<uint16_t> arphrd = reader.ReadU16();
  // Address length and the 8-byte address field are not needed.
  const bool skipped = reader.Skip(10);
  const std::optional<uint16_t> protocol = reader.ReadU16();
  if (!packet_type.has_value() || !arphrd.has_value() || !skipped ||
      !protocol.has_value()) {
    return ParseResult<SllView>::Error(DecodeError::kLinkTruncated);
  }
  const ParseResult<VlanStack> vlans =
      VlanStack::Parse(*protocol, reader.rest());
  if (!vlans.ok()) {
    return ParseResult<SllView>::Error(vlans.error());
  }
  return ParseResult<SllView>::Ok(SllView(*packet_type, *arphrd, vlans.view()));
}

NetworkProtocol SllView::network() const {
  if (arphrd_type_ == kArphrdNetlink) {
    return NetworkProtocol::kOther;
  }
  return vlans_.network();
}

ParseResult<Sll2View> Sll2View::Parse(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const std::optional<uint16_t> protocol = reader.ReadU16();
  const bool reserved = reader.Skip(2);
  const std::optional<uint32_t> ifindex = reader.ReadU32();
  const std::optional<uint16_t> arphrd = reader.ReadU16();
  const std::optional<uint8_t> packet_type = reader.ReadU8();
  // Address length and the 8-byte address field are not needed.
  const bool skipped = reader.Skip(9);
  if (!protocol.has_value() || !reserved || !ifindex.has_value() ||
      !arphrd.has_value() || !packet_type.has_value() || !skipped) {
    return ParseResult<Sll2View>::Error(DecodeError::kLinkTruncated);
  }
  const ParseResult<VlanStack> vlans =
      VlanStack::Parse(*protocol, reader.rest());
  if (!vlans.ok()) {
    return ParseResult<Sll2View>::Error(vlans.error());
  }
  return ParseResult<Sll2View>::Ok(
      Sll2View(*ifindex, *arphrd, *packet_type, vlans.view()));
}

NetworkProtocol Sll2View::network() const {
  if (arphrd_type_ == kArphrdNetlink) {
    return NetworkProtocol::kOther;
  }
  return vlans_.network();
}

}  // namespace tcpstate
