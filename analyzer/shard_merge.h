#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analyzer/analysis_result.h"
#include "analyzer/record_collector.h"

namespace tcpstate {

// Where something a shard's table did falls in a single table's order:
// after the segment of `packet` (in the order it happened there: one shard
// only), or in the sweep after it, or at the end (both by connection id).
// Shared by the threads of --threads N and the parts of --shard K/N.
struct ShardTag {
  enum Phase : uint8_t { kSegment = 0, kSweep = 1, kEnd = 2 };
  uint64_t packet = 0;
  uint8_t phase = kSegment;
  uint64_t order = 0;

  friend bool operator<(const ShardTag& a, const ShardTag& b) {
    return std::tie(a.packet, a.phase, a.order) <
           std::tie(b.packet, b.phase, b.order);
  }
};

// Replays the shards' creations and finished records, given in ShardTag
// order across all shards, as a single table makes them: each creation
// takes the next id (ids stay creation order), each finished record gets
// its final id (and the final id of the connection it replaced, for
// port_reuse) and goes to a RecordCollector, so the SYN-flood and ISN
// analyses, the sink and the kept records see a single table's sequence.
// A shard numbers its connections by the packet that created them.
class ShardMerge {
 public:
  // `sink` may be null; it must outlive this.
  ShardMerge(const RecordCollector::Options& options, ConnectionSink* sink,
             size_t shards);

  // Shard `shard` created the connection it calls `id`; `reuses`: the id
  // of the connection its SYN replaced (port reuse), else 0.
  void Created(size_t shard, uint64_t id, uint64_t reuses);
  // Shard `shard` finished `rec` (rec.id is the shard's id).
  void Finished(size_t shard, ConnectionRecord&& rec);

  RecordCollector& collector() { return collector_; }

 private:
  struct Replaced {  // the last record a shard ended by port reuse
    uint64_t shard_id = 0;
    uint64_t final_id = 0;
  };

  RecordCollector collector_;
  std::vector<Replaced> replaced_;  // by shard
  uint64_t next_id_ = 1;
  // The open connections' ids: the shards' (creating packet) -> final.
  absl::flat_hash_map<uint64_t, uint64_t> ids_;
  // Open connections that replaced another: the shards' id -> the final id
  // of the one replaced.
  absl::flat_hash_map<uint64_t, uint64_t> reused_;
};

}  // namespace tcpstate
