#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "analyzer/live.h"
#include "dissectors/frame.h"

namespace tcpstate {

// Adds `more` to `into`: counts and decode counters summed, the time span
// widened (the capture summaries of several workers).
void AddCaptureSummary(CaptureSummary& into, const CaptureSummary& more);

// The live view's snapshots of several tables as one: counts summed, the
// state pairs and the lingering endpoints merged (oldest first, capped).
LiveSnapshot MergeSnapshots(const std::vector<LiveSnapshot>& parts,
                            size_t max_lingering);

// Live capture on several workers (tcpstate -i IFACE --threads N): each
// worker reads its own socket of one PACKET_FANOUT group and calls
// OnFrame() and Poll() from its own thread. A worker decodes and
// reassembles what its socket delivers, then the flow's shard (ShardOf, as
// offline) decides which worker analyses the segment: its own, or another
// one's, to which it is handed over (counted as wrong_shard: the kernel's
// fanout hash is its own, seeded at boot, so it picks another worker for
// about (N-1)/N of the flows; tunnelled flows and IPv6 fragments too).
// A worker analyses its segments, its own and those handed over, in
// capture-time order once kReorderDelay old (wall clock): the two
// directions of a flow may come through two sockets. Packet numbers count
// the TCP segments as they are analysed, so they follow capture time
// within every flow (the -w file holds the packets in the order the
// sockets read them). Each worker's flow
// table holds its share of the caps. Finished records,
// state changes and anomalies go to one RecordCollector and the sink, under
// one lock, as they happen; connection ids come from one counter.
// How long a segment waits for those of the other sockets that come
// before it.
inline constexpr absl::Duration kReorderDelay = absl::Milliseconds(100);

class LiveShards {
 public:
  // `options.live` must be set.
  LiveShards(const AnalyzerOptions& options, size_t workers,
             ConnectionSink* sink);
  ~LiveShards();
  LiveShards(const LiveShards&) = delete;
  LiveShards& operator=(const LiveShards&) = delete;

  // Worker `w`'s thread: a frame its socket captured (numbered by the
  // caller across all the sockets).
  void OnFrame(size_t w, const Frame& frame);
  // Worker `w`'s thread, at least every sweep interval: the segments other
  // workers handed it, then the wall clock (`now`: sweeps, stuck states).
  void Poll(size_t w, absl::Time now);

  // Any thread: the open connections of every worker.
  LiveSnapshot Snapshot(absl::Time now, size_t max_rows,
                        LiveSort sort = LiveSort::kRate);
  uint64_t wrong_shard() const {
    return wrong_shard_.load(std::memory_order_relaxed);
  }

  // Once every worker has stopped: the handed-over segments still waiting
  // are analysed, every open connection is written out (at `stopped`, or
  // the last packet's time if later), and the result returned.
  AnalysisResult Finish(absl::Time stopped);

  struct Worker;

 private:
  // Moves the segments handed over into the worker's queue.
  void TakeInbox(Worker& w);
  // Analyses the queued segments up to capture time `until`, in order.
  void AnalyseUpTo(Worker& w, absl::Time until);
  // The worker's live events and finished records, to the sink (w.mu held).
  void Drain(Worker& w);

  AnalyzerOptions options_;
  ConnectionSink* sink_;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<uint64_t> next_packet_{1};
  std::atomic<uint64_t> wrong_shard_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex out_mu_;  // the collector and the sink
  std::unique_ptr<RecordCollector> collector_;
};

}  // namespace tcpstate
