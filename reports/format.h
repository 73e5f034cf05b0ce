#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "dissectors/ip_address.h"

namespace tcpstate {

// Value formatting and summary tallies shared by every report format.

// Seconds since the Unix epoch with exactly 6 decimals ("1700000000.250000"),
// truncated to the microsecond below.
std::string FormatEpochSeconds(absl::Time t);

// Seconds with exactly 6 decimals ("12.000345", "-0.500000").
std::string FormatSeconds(absl::Duration d);

// Seconds with exactly 9 decimals, to the nanosecond ("0.000021375"): for
// round-trip times, where microseconds are too coarse on a LAN.
std::string PreciseSeconds(absl::Duration d);

// A duration as people read it, in at most 7 characters: 23µs, 42.4ms,
// 3.01s, 2m05s, 1h02m, 3d04h (the text table; json keeps the seconds).
std::string HumanDuration(absl::Duration d);

// The same, appended to `out` (no temporary string).
void AppendEpochSeconds(absl::Time t, std::string* out);
void AppendSeconds(absl::Duration d, std::string* out);

// The same, written at `buf` (at least kSecondsChars long); returns the end.
inline constexpr size_t kSecondsChars = 32;
char* WriteEpochSeconds(absl::Time t, char* buf);
char* WriteSeconds(absl::Duration d, char* buf);

// `value` in decimal at `buf` (at least 20 chars); returns the end.
char* WriteUint(uint64_t value, char* buf);

// IpAddress::ToString() at `buf` (at least kAddressChars); returns the end.
inline constexpr size_t kAddressChars = 48;
char* WriteAddress(const IpAddress& addr, char* buf);

// "2023-11-14 22:13:20.250000 UTC" (always UTC, so output never depends on
// the machine's time zone).
std::string FormatUtc(absl::Time t);

// "198.18.0.1:80" or "[2001:db8::1]:80".
std::string FormatEndpoint(const IpAddress& addr, uint16_t port);

// Final-state and conn_state counts over connection records. Built from
// result.connections, or record by record while streaming (jsonl), so that
// both paths produce the same summary.
class ConnectionTally {
 public:
  struct StatePair {
    std::string client;
    std::string server;
    uint64_t count = 0;
  };

  void Add(const ConnectionRecord& record);
  static ConnectionTally Of(const std::vector<ConnectionRecord>& records);

  // Sorted by count (descending), then client name, then server name.
  std::vector<StatePair> StatePairs() const;
  // Sorted by conn_state name.
  const std::map<std::string, uint64_t>& ConnStates() const {
    return conn_states_;
  }

 private:
  // Counts by (client, server) state, the states' enum values as indexes.
  static constexpr size_t kStates = kNumTcpStates;
  std::array<std::array<uint64_t, kStates>, kStates> state_pairs_{};
  std::map<std::string, uint64_t> conn_states_;
};

// Decode counters as (name, value), sorted by name; zero values kept only
// when `include_zero`.
std::vector<std::pair<std::string, uint64_t>> SortedDecodeCounters(
    const DecodeCounters& counters, bool include_zero);

// Capture span: last - first packet time, zero when unknown.
absl::Duration CaptureDuration(const CaptureSummary& summary);

// Hosts sorted into those worth a place of their own (a host-level anomaly
// or predictable ISNs; by address, at most `max_shown`) and a count of the
// others that chose ISNs, by ISN verdict ("random", "not enough samples").
struct HostTally {
  std::vector<const HostRecord*> shown;
  size_t with_finding = 0;  // shown.size() plus those left out
  std::map<std::string, size_t> other_verdicts;
  size_t others = 0;
};
bool HostHasFinding(const HostRecord& host);
HostTally TallyHosts(const std::vector<HostRecord>& hosts, size_t max_shown);

// Round steps for a time axis over [0, span]: the multiples of the
// smallest of 1, 2, 5 x 10^k (below a second), 1, 2, 5, 10, 15, 30 s or
// min, 1, 2, 3, 6, 12 h, or whole days, that gives at most `max_ticks`
// steps; always starts with zero.
std::vector<absl::Duration> TimeTicks(absl::Duration span, int max_ticks);

// A tick's label: "0", "250µs", "1.5ms", "20s", "1m30s", "2h", "1d6h".
std::string TickLabel(absl::Duration d);

}  // namespace tcpstate
