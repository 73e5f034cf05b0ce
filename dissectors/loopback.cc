#include "dissectors/loopback.h"

#include <optional>

#include "dissectors/byte_reader.h"

namespace tcpstate {

NetworkProtocol NetworkFromFamily(uint32_t family) {
  switch (family) {
    case LoopbackFamily::kInet:
      return NetworkProtocol::kIpv4;
    case LoopbackFamily::kInet6Linux:
    case LoopbackFamily::kInet6NetBsdOpenBsd:
    case LoopbackFamily::kInet6FreeBsd:
    case LoopbackFamily::kInet6Darwin:
      return NetworkProtocol::kIpv6;
    default:
      return NetworkProtocol::kOther;
  }
}

ParseResult<NullView> NullView::Parse(absl::Span<const uint8_t> bytes) {
  const std::optional<uint32_t> little = ReadU32Le(bytes, 0);
  ByteReader reader(bytes);
  const std::optional<uint32_t> big = reader.ReadU32();
  if (!little.has_value() || !big.has_value()) {
    return ParseResult<NullView>::Error(DecodeError::kLinkTruncated);
  }
  uint32_t family = *little;
  if (NetworkFromFamily(*little) == NetworkProtocol::kOther &&
      NetworkFromFamily(*big) != NetworkProtocol::kOther) {
    family = *big;
  }
  return ParseResult<NullView>::Ok(NullView(family, reader.rest()));
}

ParseResult<LoopView> LoopView::Parse(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const std::optional<uint32_t> family = reader.ReadU32();
  if (!family.has_value()) {
    return ParseResult<LoopView>::Error(DecodeError::kLinkTruncated);
  }
  return ParseResult<LoopView>::Ok(LoopView(*family, reader.rest()));
}

}  // namespace tcpstate
