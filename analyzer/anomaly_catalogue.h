#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "analyzer/anomaly.h"

namespace tcpstate {

// Every kind of finding tcpstate reports. The ids are stable: reports, the
// docs/anomalies.md table, CI expectations and baselines key on them.
enum class AnomalyKind : uint8_t {
  // Lifecycle (per connection).
  kCloseWaitStuck,
  kFinWait2Stuck,
  kFinWait1Stuck,
  kLastAckStuck,
  kSynUnanswered,
  kHalfOpenHandshake,
  kRefused,
  kRstTeardown,
  kRstIgnored,
  kPortReuse,
  kDataAfterClose,
  kSimultaneousOpen,
  kSimultaneousClose,
  kMidStream,
  // Host level.
  kSynFlood,
  kPredictableIsn,
  // Data transfer (per connection; Wireshark's definitions are the
  // reference, precedence keep-alive > spurious retransmission > fast
  // retransmission > out-of-order > retransmission).
  kRetransmission,
  kFastRetransmission,
  kSpuriousRetransmission,
  kOutOfOrder,
  kLostSegment,
  kDuplicateAck,
  kZeroWindow,
  kZeroWindowProbe,
  kWindowFull,
  kKeepalive,
  kDuplicatePacket,
  kCount,
};

inline constexpr size_t kNumAnomalyKinds =
    static_cast<size_t>(AnomalyKind::kCount);

struct AnomalyInfo {
  AnomalyKind kind;
  const char* id;          // stable snake_case id
  Severity severity;
  const char* category;    // "lifecycle", "host", "data_transfer"
  const char* definition;  // one line: the exact rule
};

// The catalogue, in enum order.
absl::Span<const AnomalyInfo> AnomalyCatalogue();
const AnomalyInfo& InfoOf(AnomalyKind kind);
std::optional<AnomalyKind> AnomalyKindFromId(absl::string_view id);

// An anomaly record of `kind`, with its id and severity from the catalogue.
Anomaly MakeAnomaly(AnomalyKind kind, std::string endpoint,
                    uint64_t first_packet, uint64_t last_packet, absl::Time t,
                    absl::Duration duration, uint64_t count,
                    std::vector<uint64_t> packets, std::string detail);

}  // namespace tcpstate
