#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// TCP option kinds (IANA "TCP Option Kind Numbers").
struct TcpOptionKind {
  static constexpr uint8_t kEnd = 0;
  static constexpr uint8_t kNop = 1;
  static constexpr uint8_t kMss = 2;
  static constexpr uint8_t kWindowScale = 3;
  static constexpr uint8_t kSackPermitted = 4;
  static constexpr uint8_t kSack = 5;
  static constexpr uint8_t kTimestamps = 8;
  static constexpr uint8_t kFastOpen = 34;
  static constexpr uint8_t kExperimental = 254;  // RFC 6994 shared kind
};

// RFC 7413 section 4.1.1: Fast Open carried under the experimental kind.
inline constexpr uint16_t kFastOpenExperimentId = 0xF989;

// Decodes the options area of a TCP header. `captured` is the part of the
// options the capture holds; `declared_length` is what the data offset says
// (data offset * 4 - 20). Lengths of 0 or 1, or a length running past the
// declared area, stop parsing and set `malformed`; a known kind with the
// wrong length is skipped and also sets `malformed`. Running out of captured
// bytes inside the declared area stops parsing and sets `truncated`.
TcpOptions ParseTcpOptions(absl::Span<const uint8_t> captured,
                           size_t declared_length);

}  // namespace tcpstate
