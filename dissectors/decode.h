#pragma once

#include <optional>

#include "absl/types/span.h"
#include "dissectors/decode_counters.h"
#include "dissectors/link_type.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

enum class DecodeOutcome : uint8_t {
  kTcp,        // `segment` is set
  kSkipped,    // not TCP, not IP, or a non-first fragment: counted, no error
  kMalformed,  // a header could not be decoded: counted
};

struct DecodedPacket {
  DecodeOutcome outcome = DecodeOutcome::kSkipped;
  std::optional<TcpSegment> segment;
};

// Decodes link -> IP -> TCP from captured bytes. Pure: no I/O, no state
// beyond bumping the caller's counters (each malformation or skip bumps
// exactly one counter; a bad checksum is counted but the segment is still
// returned). Never reads outside `bytes`.
DecodedPacket Decode(LinkType link, absl::Span<const uint8_t> bytes,
                     DecodeCounters& counters);

}  // namespace tcpstate
