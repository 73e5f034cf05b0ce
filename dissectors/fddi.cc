#include "dissectors/fddi.h"

#include <optional>

#include "dissectors/byte_reader.h"

namespace tcpstate {
namespace {

constexpr uint8_t kLlcSnapSap = 0xAA;
constexpr uint8_t kLlcUnnumberedInfo = 0x03;
constexpr size_t kOuiSize = 3;

}  // namespace

ParseResult<FddiView> FddiView::Parse(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const std::optional<uint8_t> fc = reader.ReadU8();
  if (!fc.has_value() || !reader.Skip(kHeaderSize - 1)) {
    return ParseResult<FddiView>::Error(DecodeError::kLinkTruncated);
  }
  FddiView view;
  view.frame_control_ = *fc;
  const std::optional<uint8_t> dsap = reader.ReadU8();
  const std::optional<uint8_t> ssap = reader.ReadU8();
  const std::optional<uint8_t> control = reader.ReadU8();
  if (!dsap.has_value() || !ssap.has_value() || !control.has_value()) {
    return ParseResult<FddiView>::Error(DecodeError::kLinkTruncated);
  }
  if (*dsap != kLlcSnapSap || *ssap != kLlcSnapSap ||
      *control != kLlcUnnumberedInfo) {
    view.payload_ = reader.rest();  // plain 802.2 LLC: not IP
    return ParseResult<FddiView>::Ok(view);
  }
  const bool oui = reader.Skip(kOuiSize);
  const std::optional<uint16_t> type = reader.ReadU16();
  if (!oui || !type.has_value()) {
    return ParseResult<FddiView>::Error(DecodeError::kLinkTruncated);
  }
  view.is_snap_ = true;
  view.ether_type_ = *type;
  view.payload_ = reader.rest();
  return ParseResult<FddiView>::Ok(view);
}

}  // namespace tcpstate
