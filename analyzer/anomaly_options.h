#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {

// Thresholds of the anomaly rules; defaults from real stacks (Linux).
struct AnomalyOptions {
  // How long an endpoint may sit in CLOSE_WAIT, FIN_WAIT_1/2 or LAST_ACK
  // before it is stuck (Linux tcp_fin_timeout is 60 s).
  absl::Duration stuck_after = absl::Seconds(60);
  // Per-kind overrides of stuck_after (--stuck-after KIND=DUR).
  std::array<std::optional<absl::Duration>, kNumAnomalyKinds> overrides{};
  // FIN retransmissions that make FIN_WAIT_1 / LAST_ACK stuck regardless of
  // time (the ACK was shown lost repeatedly).
  uint32_t stuck_fin_retransmits = 3;
  // syn_flood: at least `syn_flood_min` half-open handshakes from at least
  // `syn_flood_sources` distinct sources to one host within the window.
  uint32_t syn_flood_min = 100;
  uint32_t syn_flood_sources = 20;
  absl::Duration syn_flood_window = absl::Seconds(10);

  absl::Duration Threshold(AnomalyKind kind) const {
    const std::optional<absl::Duration>& o =
        overrides[static_cast<size_t>(kind)];
    return o ? *o : stuck_after;
  }
};

}  // namespace tcpstate
