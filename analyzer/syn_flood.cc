#include "analyzer/syn_flood.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {
namespace {

constexpr size_t kProofPackets = 8;

// An estimate to three significant digits (1856305 -> 1860000): its error
// is larger than the digits dropped.
uint64_t ThreeDigits(uint64_t n) {
  uint64_t scale = 1;
  while (n / scale >= 1000) {
    scale *= 10;
  }
  return (n + scale / 2) / scale * scale;
}

}  // namespace

SynFloodDetector::SynFloodDetector(const AnomalyOptions& options)
    : options_(options),
      bucket_width_(std::max(options.syn_flood_window / 2,
                             absl::Milliseconds(1))) {}

// A handshake left half-open: judged so (syn_unanswered,
// half_open_handshake), evicted before its verdict was due, or still
// incomplete when the capture ended a while after its SYN. A flood is a
// rate of those; it must not need the capture to go on afterwards.
bool SynFloodDetector::HalfOpen(const ConnectionRecord& r) const {
  const bool incomplete = r.client.syns > 0 && !r.mid_stream &&
                          !r.handshake_rtt && !IsSynchronized(r.server.state) &&
                          r.client.rsts == 0 && r.server.rsts == 0;
  if (r.end_reason == EndReason::kEvicted && r.client.syns > 0 &&
      !IsSynchronized(r.server.state)) {
    return true;  // floods fill the table faster than a verdict comes
  }
  if (incomplete && r.end_reason == EndReason::kCaptureEnd &&
      capture_end_ - r.first_seen >= kPendingHandshake) {
    return true;
  }
  for (const Anomaly& a : r.anomalies) {
    if (a.kind == InfoOf(AnomalyKind::kSynUnanswered).id ||
        a.kind == InfoOf(AnomalyKind::kHalfOpenHandshake).id) {
      return true;
    }
  }
  return false;
}

void SynFloodDetector::Add(const ConnectionRecord& record) {
  if (!HalfOpen(record)) {
    return;
  }
  absl::Duration remainder;  // IDivDuration requires somewhere to put it
  const int64_t index = absl::IDivDuration(
      record.first_seen - absl::UnixEpoch(), bucket_width_, &remainder);
  std::map<int64_t, Bucket>& buckets = hosts_[record.server.addr];
  auto [it, made] = buckets.try_emplace(index);
  Bucket& b = it->second;
  if (made) {
    b.sources = DistinctCounter(std::max<size_t>(
        kExactSources, options_.syn_flood_sources));
  }
  ++b.count;
  b.sources.Add(record.client.addr);
  if (record.first_seen < b.first_t) {
    b.first_t = record.first_seen;
    b.first_packet = record.first_packet;
  }
  if (record.first_seen > b.last_t) {
    b.last_t = record.first_seen;
    b.last_packet = record.first_packet;
  }
  if (b.packets.size() < kProofPackets) {
    b.packets.push_back(record.first_packet);
  }
}

// Adds up every window (pair of adjacent buckets) that meets both
// thresholds into one record per host.
Anomaly SynFloodDetector::Judge(const IpAddress& host,
                                const std::map<int64_t, Bucket>& buckets,
                                bool* flooded) const {
  Anomaly a;
  a.kind = InfoOf(AnomalyKind::kSynFlood).id;
  a.severity = InfoOf(AnomalyKind::kSynFlood).severity;
  a.endpoint = host.ToString();
  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  DistinctCounter sources(
      std::max<size_t>(kExactSources, options_.syn_flood_sources));
  *flooded = false;
  const Bucket* prev = nullptr;
  int64_t prev_index = 0;
  for (const auto& [index, b] : buckets) {
    const bool adjacent = prev != nullptr && prev_index + 1 == index;
    const uint64_t count = b.count + (adjacent ? prev->count : 0);
    DistinctCounter window(b.sources);
    if (adjacent) {
      window.Merge(prev->sources);
    }
    // Exact at the threshold: a counter holds at least that many exactly.
    if (count >= options_.syn_flood_min &&
        window.Count() >= options_.syn_flood_sources) {
      for (const Bucket* w : {adjacent ? prev : nullptr, &b}) {
        if (w == nullptr || (w->first_t >= first && w->last_t <= last)) {
          continue;  // counted with the previous window already
        }
        if (!*flooded || w->first_t < first) {
          a.first_packet = w->first_packet;
        }
        first = std::min(first, w->first_t);
        if (w->last_t > last) {
          last = w->last_t;
          a.last_packet = w->last_packet;
        }
        a.count += w->count;
        for (uint64_t p : w->packets) {
          if (a.packets.size() < kProofPackets) {
            a.packets.push_back(p);
          }
        }
        *flooded = true;
      }
      sources.Merge(window);
    }
    prev = &b;
    prev_index = index;
  }
  if (*flooded) {
    a.t = first;
    a.duration = last - first;
    std::sort(a.packets.begin(), a.packets.end());
    a.detail = absl::StrFormat(
        "%d handshakes to %s were left half-open (SYN unanswered or final "
        "ACK never arriving) within %s windows, from %s%d distinct "
        "sources%s: a SYN flood (or a scan).",
        a.count, a.endpoint, absl::FormatDuration(options_.syn_flood_window),
        sources.exact() ? "" : "about ",
        sources.exact() ? sources.Count() : ThreeDigits(sources.Count()),
        sources.exact() ? "" : " (estimated: standard error 3%)");
  }
  return a;
}

void SynFloodDetector::Finish(std::vector<HostRecord>& hosts,
                              std::vector<Anomaly>& anomalies) {
  for (const auto& [host, buckets] : hosts_) {
    bool flooded = false;
    Anomaly a = Judge(host, buckets, &flooded);
    if (!flooded) {
      continue;
    }
    const IpAddress& addr = host;  // clang: lambdas cannot capture bindings
    auto it = std::find_if(hosts.begin(), hosts.end(),
                           [&](const HostRecord& h) { return h.addr == addr; });
    if (it == hosts.end()) {
      HostRecord h;
      h.addr = host;
      hosts.push_back(std::move(h));
      it = hosts.end() - 1;
    }
    it->anomalies.push_back(a);
    anomalies.push_back(std::move(a));
  }
  std::sort(hosts.begin(), hosts.end(),
            [](const HostRecord& x, const HostRecord& y) {
              return x.addr < y.addr;
            });
  std::sort(anomalies.begin(), anomalies.end(),
            [](const Anomaly& x, const Anomaly& y) {
              return x.t != y.t ? x.t < y.t : x.endpoint < y.endpoint;
            });
  hosts_.clear();
}

}  // namespace tcpstate
