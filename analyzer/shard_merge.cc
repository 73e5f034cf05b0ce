#include "analyzer/shard_merge.h"

#include <utility>

#include "analyzer/connection.h"

namespace tcpstate {

ShardMerge::ShardMerge(const RecordCollector::Options& options,
                       ConnectionSink* sink, size_t shards)
    : collector_(options, sink), replaced_(shards) {}

void ShardMerge::Created(size_t shard, uint64_t id, uint64_t reuses) {
  ids_.emplace(id, next_id_);
  const Replaced& r = replaced_[shard];
  if (reuses != 0 && reuses == r.shard_id) {
    reused_.emplace(id, r.final_id);
  }
  ++next_id_;
}

void ShardMerge::Finished(size_t shard, ConnectionRecord&& rec) {
  const uint64_t shard_id = rec.id;
  uint64_t id = 0;
  if (auto it = ids_.find(shard_id); it != ids_.end()) {
    id = it->second;
    ids_.erase(it);
  }
  uint64_t reused = 0;
  if (rec.reuse) {  // only such records are in reused_
    if (auto it = reused_.find(shard_id); it != reused_.end()) {
      reused = it->second;
      reused_.erase(it);
    }
  }
  if (rec.end_reason == EndReason::kPortReuse) {
    // A SYN reusing the 4-tuple finished it; the creation that follows
    // from this shard names it.
    replaced_[shard] = Replaced{shard_id, id};
  }
  RenumberConnection(rec, id, reused);
  collector_.Add(std::move(rec));
}

}  // namespace tcpstate
