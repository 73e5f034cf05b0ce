#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "analyzer/frame_front.h"
#include "analyzer/shard_merge.h"
#include "dissectors/frame.h"

namespace tcpstate {

class FlowTable;

// One shard of a capture's analysis for --shard K/N: every frame is read
// and decoded (packet numbers and the capture clock stay global, and a
// connection spanning rotated files stays whole), but only the flows whose
// ShardOf(key, N) is K go into the flow table, which holds a 1/N share of
// the caps as each shard of --threads N does. What the table does is
// handed on tagged with its place in a single table's order, for
// ShardMerge to replay with the other shards' parts.
class ShardRun {
 public:
  class Output {
   public:
    virtual ~Output() = default;
    virtual void Created(const ShardTag& tag, uint64_t id,
                         uint64_t reuses) = 0;
    virtual void Finished(const ShardTag& tag, ConnectionRecord&& rec) = 0;
  };

  // `out` must outlive this. Requires shard < shards.
  ShardRun(const AnalyzerOptions& options, size_t shard, size_t shards,
           Output* out);
  ~ShardRun();
  ShardRun(const ShardRun&) = delete;
  ShardRun& operator=(const ShardRun&) = delete;

  void OnFrame(const Frame& frame);
  // Ends the capture: the connections still open are finished (tagged
  // ShardTag::kEnd). Returns the capture summary (the connection counters
  // are the merge's to fill in).
  CaptureSummary Finish();

  // The connections this shard created.
  uint64_t created() const;
  // A digest of every frame read (time, lengths, bytes): parts of the same
  // input agree on it.
  uint64_t digest() const { return digest_; }

 private:
  size_t shard_;
  size_t shards_;
  Output* out_;
  FrameFront front_;
  std::unique_ptr<FlowTable> table_;
  ShardTag tag_;
  uint64_t seq_ = 0;
  uint64_t digest_ = 0;
};

}  // namespace tcpstate
