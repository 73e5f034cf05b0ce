#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace tcpstate {

// A bounds-checked big-endian cursor over captured bytes. Every read may fail
// (the capture may be truncated at any byte), so reads return std::optional.
// Loads are done with shifts, never by casting the buffer to a struct.
class ByteReader {
 public:
  explicit ByteReader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }
  absl::Span<const uint8_t> rest() const { return bytes_.subspan(offset_); }

  bool Skip(size_t n) {
    if (n > remaining()) {
      return false;
    }
    offset_ += n;
    return true;
  }

  std::optional<uint8_t> ReadU8() {
    if (remaining() < 1) {
      return std::nullopt;
    }
    return bytes_[offset_++];
  }

  std::optional<uint16_t> ReadU16() {
    if (remaining() < 2) {
      return std::nullopt;
    }
    const uint16_t v = static_cast<uint16_t>((bytes_[offset_] << 8) |
                                             bytes_[offset_ + 1]);
    offset_ += 2;
    return v;
  }

  std::optional<uint32_t> ReadU32() {
    if (remaining() < 4) {
      return std::nullopt;
    }
    const uint32_t v = (static_cast<uint32_t>(bytes_[offset_]) << 24) |
                       (static_cast<uint32_t>(bytes_[offset_ + 1]) << 16) |
                       (static_cast<uint32_t>(bytes_[offset_ + 2]) << 8) |
                       static_cast<uint32_t>(bytes_[offset_ + 3]);
    offset_ += 4;
    return v;
  }

  // Returns the next n bytes as a sub-span and advances, or nullopt.
  std::optional<absl::Span<const uint8_t>> ReadBytes(size_t n) {
    if (n > remaining()) {
      return std::nullopt;
    }
    absl::Span<const uint8_t> out = bytes_.subspan(offset_, n);
    offset_ += n;
    return out;
  }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t offset_ = 0;
};

// Little-endian helpers for the few little-endian fields (BSD loopback
// family in host order of the capturing machine, SLL2 is big-endian).
inline std::optional<uint32_t> ReadU32Le(absl::Span<const uint8_t> b,
                                         size_t at) {
  if (at > b.size() || b.size() - at < 4) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(b[at]) |
         (static_cast<uint32_t>(b[at + 1]) << 8) |
         (static_cast<uint32_t>(b[at + 2]) << 16) |
         (static_cast<uint32_t>(b[at + 3]) << 24);
}

}  // namespace tcpstate
