#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "dissectors/link_type.h"

namespace tcpstate {

// One captured packet as handed over by a capture source. `bytes` is borrowed
// and valid only until the source produces the next frame.
struct Frame {
  absl::Time timestamp;
  uint64_t number = 0;        // 1-based across all inputs of a run
  uint32_t wire_length = 0;   // original length on the wire
  LinkType link = LinkType::kEthernet;
  uint32_t input_index = 0;   // which input file (0-based)
  absl::Span<const uint8_t> bytes;  // captured bytes (may be < wire_length)
};

}  // namespace tcpstate
