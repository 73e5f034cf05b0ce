#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "analyzer/flow_key.h"
#include "analyzer/frame_front.h"
#include "analyzer/record_collector.h"
#include "dissectors/frame.h"

namespace tcpstate {

// The shard a flow belongs to: a fixed-seed hash of its canonical
// (symmetric) key, modulo `shards`, so that both directions of a flow, in
// every run and on every machine, go to the same shard.
size_t ShardOf(const FlowKey& key, size_t shards);

// --threads by default: the online cores, at most kMaxThreads.
inline constexpr size_t kMaxThreads = 16;
size_t DefaultThreads();

// The analysis of Analyzer spread over `shards` worker threads, with output
// identical to Analyzer's (ids, record order, host-level findings):
//
//  - the caller's thread reads: FrameFront decodes each frame and puts IP
//    fragments together (before hashing: a non-first fragment has no
//    ports), then the segment goes to the shard of its flow key, into that
//    shard's current batch, with its global packet number and capture
//    time. When the capture clock passes a sweep interval, a sweep goes to
//    every shard at the same place in the packet order, so all the shards'
//    clocks agree with a single table's.
//  - each shard owns a FlowTable (its share of the caps) and numbers its
//    connections by the packet that created them; what it finishes is
//    tagged with where in the single-threaded order it would have been
//    finished: (packet, segment or sweep or end, order within).
//  - the merger takes the shards' batches of one epoch (a fixed number of
//    frames) together, numbers the connections created in it in packet
//    order (ids stay creation order), and hands the finished records in tag
//    order to a RecordCollector: the SYN-flood and ISN analyses, the sink
//    and the kept records see exactly the sequence a single table makes.
//
// Batches circulate through fixed pools (kBatchesInFlight per shard), so a
// reader that runs ahead waits (backpressure) and no allocation per packet
// crosses threads once the batches have grown. The one difference from a
// single table: the caps are split evenly, so eviction under a full table
// (and the shorter half-open timeout at 90%) is decided per shard.
//
// For files only (not live mode) and without ladders. The sink is called
// from the merger's thread.
class ParallelAnalyzer {
 public:
  ParallelAnalyzer(const AnalyzerOptions& options, size_t shards,
                   ConnectionSink* sink);
  ~ParallelAnalyzer();
  ParallelAnalyzer(const ParallelAnalyzer&) = delete;
  ParallelAnalyzer& operator=(const ParallelAnalyzer&) = delete;

  void OnFrame(const Frame& frame);
  // Ends the capture and waits for the shards and the merger.
  AnalysisResult Finish();

  // The capture so far; the reader's (caller's) thread only.
  const CaptureSummary& summary() const { return front_.summary(); }
  // The first packet's time; also from the sink (it is set before the
  // first batch leaves the reader, and never changes).
  std::optional<absl::Time> first_packet_time() const { return first_time_; }

  struct Shard;
  class Merger;

 private:
  void Route(const TcpSegment& seg, const SegmentContext& context);
  // Hands every shard its current batch (one epoch) and takes fresh ones.
  void Publish();
  void Stop();

  AnalyzerOptions options_;
  FrameFront front_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<Merger> merger_;
  std::thread merger_thread_;
  std::optional<absl::Time> first_time_;
  absl::Time last_sweep_ = absl::InfinitePast();
  size_t frames_in_epoch_ = 0;
};

}  // namespace tcpstate
