#include "dissectors/ipv4.h"

#include <algorithm>
#include <optional>

#include "dissectors/byte_reader.h"

namespace tcpstate {
namespace {

constexpr uint8_t kIpOptionEnd = 0;
constexpr uint8_t kIpOptionNop = 1;

// Walks the IPv4 options (RFC 791 3.1): true when every length is sane.
bool Ipv4OptionsWellFormed(absl::Span<const uint8_t> options) {
  ByteReader reader(options);
  while (reader.remaining() > 0) {
    const uint8_t kind = *reader.ReadU8();
    if (kind == kIpOptionEnd) {
      return true;
    }
    if (kind == kIpOptionNop) {
      continue;
    }
    const std::optional<uint8_t> length = reader.ReadU8();
    if (!length.has_value() || *length < 2 || !reader.Skip(*length - 2u)) {
      return false;
    }
  }
  return true;
}

}  // namespace

ParseResult<Ipv4View> Ipv4View::Parse(absl::Span<const uint8_t> bytes) {
  using Result = ParseResult<Ipv4View>;
  if (bytes.empty()) {
    return Result::Error(DecodeError::kIpv4Truncated);
  }
  if ((bytes[0] >> 4) != 4) {
    return Result::Error(DecodeError::kIpv4BadVersion);
  }
  if (bytes.size() < kMinHeaderSize) {
    return Result::Error(DecodeError::kIpv4Truncated);
  }
  const size_t header_length = static_cast<size_t>(bytes[0] & 0x0F) * 4;
  if (header_length < kMinHeaderSize) {
    return Result::Error(DecodeError::kIpv4BadHeaderLength);
  }
  uint32_t total_length = static_cast<uint32_t>((bytes[2] << 8) | bytes[3]);
  const bool zero_total_length = total_length == 0;
  if (zero_total_length && bytes.size() > header_length) {
    total_length = static_cast<uint32_t>(bytes.size());
  }
  if (total_length < header_length) {
    return Result::Error(DecodeError::kIpv4BadTotalLength);
  }
  if (header_length > bytes.size()) {
    return Result::Error(DecodeError::kIpv4Truncated);
  }
  const absl::Span<const uint8_t> header = bytes.subspan(0, header_length);
  const size_t end = std::min<size_t>(bytes.size(), total_length);
  const absl::Span<const uint8_t> payload =
      bytes.subspan(header_length, end - header_length);
  const bool options_ok =
      Ipv4OptionsWellFormed(header.subspan(kMinHeaderSize));
  return Result::Ok(Ipv4View(header, payload, total_length, zero_total_length,
                             !options_ok));
}

}  // namespace tcpstate
