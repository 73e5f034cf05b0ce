#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly_options.h"
#include "analyzer/distinct_counter.h"
#include "dissectors/ip_address.h"

namespace tcpstate {

// Host-level syn_flood: counts, per server host, the handshakes left
// half-open (syn_unanswered or half_open_handshake) by when they started,
// in buckets of half the window. A window is any two adjacent buckets, so
// every burst that fits in half a window is caught; memory is bounded by
// hosts x buckets x (kExactSources addresses, or a 1 KiB sketch). The
// sources of the flooded windows are counted exactly up to kExactSources,
// then estimated (HyperLogLog, standard error 3.25%), and the sentence says
// which.
class SynFloodDetector {
 public:
  explicit SynFloodDetector(const AnomalyOptions& options);

  // When the capture ended (before the records still open are added): a
  // handshake still incomplete then, begun at least kPendingHandshake
  // earlier, counts as half-open without waiting for its own verdict.
  void SetCaptureEnd(absl::Time end) { capture_end_ = end; }
  static constexpr absl::Duration kPendingHandshake = absl::Seconds(1);
  static constexpr size_t kExactSources = 256;

  // Looks at one finished connection.
  void Add(const ConnectionRecord& record);

  // Appends one syn_flood anomaly per flooded host to `hosts` (by address)
  // and `anomalies` (by time).
  void Finish(std::vector<HostRecord>& hosts, std::vector<Anomaly>& anomalies);

 private:
  struct Bucket {
    uint64_t count = 0;
    // Distinct sources: exact up to kExactSources (or the threshold, if
    // higher, so the threshold is always judged exactly), then estimated.
    DistinctCounter sources{0};
    uint64_t first_packet = 0;
    uint64_t last_packet = 0;
    absl::Time first_t = absl::InfiniteFuture();
    absl::Time last_t = absl::InfinitePast();
    std::vector<uint64_t> packets;  // first few connections' SYN packets
  };
  Anomaly Judge(const IpAddress& host, const std::map<int64_t, Bucket>& b,
                bool* flooded) const;

  bool HalfOpen(const ConnectionRecord& r) const;

  AnomalyOptions options_;
  absl::Duration bucket_width_;
  absl::Time capture_end_ = absl::InfinitePast();  // unknown: none counts
  std::map<IpAddress, std::map<int64_t, Bucket>> hosts_;
};

}  // namespace tcpstate
