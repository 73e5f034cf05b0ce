#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "analyzer/analysis_result.h"
#include "dissectors/ip_address.h"

namespace tcpstate {

// ISN predictability, measured passively: every host's first SYN or
// SYN-ACK of each connection is one sample (ISN, capture time, packet
// number, IPv4 ID, TSval). Nmap's SEQ metrics are computed exactly as Nmap
// defines them, with capture timestamps in place of Nmap's send times;
// predictability is judged across *different* 4-tuples only, because ISNs
// of one 4-tuple advancing with a clock is what RFC 6528 prescribes.

struct IsnSample {
  uint32_t isn = 0;
  absl::Time t;
  uint64_t packet = 0;
  std::optional<uint16_t> ip_id;
  std::optional<uint32_t> tsval;
  IpAddress peer;
  uint16_t port = 0;
  uint16_t peer_port = 0;
};

// Nmap needs 4 SEQ responses for the SEQ line (SP is computed only then).
inline constexpr size_t kMinIsnSamples = 4;

// The shorter way around the 32-bit circle between two ISNs (Nmap's
// MOD_DIFF): 0x20000 -> 0x15000 is 0xB000, 0xFFFFFF00 -> 0xC000 is 0xC100.
uint32_t IsnModDiff(uint32_t a, uint32_t b);

struct SeqMetrics {
  uint32_t gcd = 0;  // of the consecutive MOD_DIFFs; 0: constant ISN
  uint32_t isr = 0;  // round(8 log2(mean rate per second)), 0 if mean < 1
  uint32_t sp = 0;   // round(8 log2(sample std-dev of rates / GCD if > 9))
};

// Nmap's GCD, ISR and SP over samples in capture order (at least 2; SP needs
// 3). A time step under 1 µs (Nmap's unit) counts as 1 µs.
SeqMetrics ComputeSeqMetrics(absl::Span<const IsnSample> samples);

// Nmap's label for an SP value: "Trivial joke", "Easy", "Medium",
// "Formidable", "Worthy challenge", "Good luck!".
const char* IsnDifficulty(uint32_t sp);

// Nmap's IP ID sequence class (its TI test, first matching rule) of IDs in
// send order: "zero", "random", "constant", "random_positive_increments",
// "broken_increment", "incremental", or "unknown"; "" under 3 IDs.
const char* IpIdClass(absl::Span<const uint16_t> ids);

// TCP timestamp clock rate (Hz): the median TSval advance per second
// between consecutive samples to the same peer address (>= 10 ms apart),
// when at least 2 such rates agree within 10%; none when TSval offsets are
// random per connection (Linux since 4.10).
std::optional<uint32_t> TimestampHz(absl::Span<const IsnSample> samples);

// Everything about one host's samples (capture order, distinct 4-tuples).
HostIsn AnalyzeIsns(absl::Span<const IsnSample> samples);

// Collects samples from finished connections, bounded: at most
// `max_samples` per host (the latest by packet number) and `max_hosts`
// hosts (later hosts are not tracked).
class IsnAnalyzer {
 public:
  explicit IsnAnalyzer(size_t max_hosts = 4096, size_t max_samples = 64);

  void Add(const ConnectionRecord& record);

  // Adds `isn` to every sampled host in `hosts` (sorted by address), and a
  // predictable_isn anomaly to the host and to `anomalies` (by time).
  void Finish(std::vector<HostRecord>& hosts, std::vector<Anomaly>& anomalies);

 private:
  struct Host {
    std::vector<IsnSample> samples;  // sorted by packet number
    uint64_t same_tuple = 0;
  };
  void AddEndpoint(const EndpointRecord& e, const EndpointRecord& peer);
  // Keeps only the max_samples_ latest samples.
  void Trim(Host& h) const;

  size_t max_hosts_;
  size_t max_samples_;
  absl::flat_hash_map<IpAddress, Host> hosts_;
};

}  // namespace tcpstate
