#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "analyzer/anomaly_catalogue.h"
#include "dissectors/seq_num.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// Per-direction sequence analysis state, one per sending endpoint, for the
// data-transfer anomalies (Wireshark's tcp.analysis definitions).
struct FlowDirection {
  bool seen = false;
  // PLACEHOLDER: filled in by the data-transfer classifier.
};

// A set of AnomalyKind values.
using AnomalyKindSet = uint32_t;
inline constexpr AnomalyKindSet Bit(AnomalyKind k) {
  return AnomalyKindSet{1} << static_cast<unsigned>(k);
}
static_assert(kNumAnomalyKinds <= 32, "AnomalyKindSet is 32 bits");

// Classifies one segment sent by the endpoint that owns `fwd` (its peer
// owns `rev`) and updates both. Returns the data-transfer kinds to flag
// against the sender. Written once; called as (sender, receiver).
AnomalyKindSet ClassifySegment(const TcpSegment& seg, absl::Time t,
                               FlowDirection& fwd, FlowDirection& rev);

}  // namespace tcpstate
