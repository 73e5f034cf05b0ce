#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/ethernet.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// BSD address-family values seen in loopback link headers. AF_INET is 2
// everywhere; AF_INET6 differs per OS.
struct LoopbackFamily {
  static constexpr uint32_t kInet = 2;
  static constexpr uint32_t kInet6Linux = 10;
  static constexpr uint32_t kInet6NetBsdOpenBsd = 24;
  static constexpr uint32_t kInet6FreeBsd = 28;
  static constexpr uint32_t kInet6Darwin = 30;
};

// Maps an address family to the network layer (kOther when unknown).
NetworkProtocol NetworkFromFamily(uint32_t family);

// DLT_NULL: a 4-byte address family in the *capturing* host's byte order,
// which the reader cannot know, so both orders are tried.
class NullView {
 public:
  static constexpr size_t kHeaderSize = 4;

  // Errors: kLinkTruncated.
  static ParseResult<NullView> Parse(absl::Span<const uint8_t> bytes);

  // The family as understood (a known value if either byte order gave one,
  // otherwise the little-endian reading).
  uint32_t family() const { return family_; }
  NetworkProtocol network() const { return NetworkFromFamily(family_); }
  absl::Span<const uint8_t> payload() const { return payload_; }

 private:
  NullView(uint32_t family, absl::Span<const uint8_t> payload)
      : family_(family), payload_(payload) {}

  uint32_t family_;
  absl::Span<const uint8_t> payload_;
};

// DLT_LOOP (OpenBSD): the same 4-byte family, always in network order.
class LoopView {
 public:
  static constexpr size_t kHeaderSize = 4;

  // Errors: kLinkTruncated.
  static ParseResult<LoopView> Parse(absl::Span<const uint8_t> bytes);

  uint32_t family() const { return family_; }
  NetworkProtocol network() const { return NetworkFromFamily(family_); }
  absl::Span<const uint8_t> payload() const { return payload_; }

 private:
  LoopView(uint32_t family, absl::Span<const uint8_t> payload)
      : family_(family), payload_(payload) {}

  uint32_t family_;
  absl::Span<const uint8_t> payload_;
};

}  // namespace tcpstate
