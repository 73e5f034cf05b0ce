#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly_options.h"
#include "analyzer/flow_table.h"
#include "analyzer/frame_front.h"
#include "analyzer/ip_reassembly.h"
#include "analyzer/live.h"
#include "analyzer/ladder_recorder.h"
#include "analyzer/record_collector.h"
#include "dissectors/decode.h"
#include "dissectors/frame.h"

namespace tcpstate {

// The memory the flow table is estimated to take per connection: the
// connection in its pool slot and its share of the hash table.
uint64_t FlowTableBytesPerConnection();
inline constexpr size_t kDefaultMaxConnections = size_t{1} << 20;
// The default memory cap: enough for the default connection cap
// (1,048,576) at FlowTableBytesPerConnection(), so that the defaults hold
// a busy server's million connections. Memory follows the connections
// actually open; the cap only bounds it.
uint64_t DefaultMaxMemoryBytes();

struct AnalyzerOptions {
  absl::Duration time_wait = absl::Seconds(60);    // Linux TCP_TIMEWAIT_LEN
  AnomalyOptions anomalies;  // thresholds of the anomaly rules
  // Flow table caps: the table holds at most max_connections, and at most
  // as many as fit in max_memory_bytes (estimated per connection); when
  // full, connections are evicted (written out, end reason "evicted").
  size_t max_connections = kDefaultMaxConnections;
  uint64_t max_memory_bytes = DefaultMaxMemoryBytes();
  // A connection with no packet for this long is written out and dropped.
  absl::Duration idle_timeout = absl::Hours(2);
  // Keep finished connections for the final result (text/json); jsonl
  // streaming turns this off so memory follows open connections only.
  bool retain_connections = true;
  // Live capture (tcpstate -i): the clock also moves with AdvanceTime()
  // (wall clock); state changes and anomalies of open connections go to the
  // sink as they happen; a stuck-state anomaly that fired stays on its
  // record even if the connection recovers. Off for files, whose output
  // depends on packet timestamps only.
  bool live = false;
  // How often expiry sweeps (and, live, the stuck-state rules) run.
  absl::Duration sweep_interval = absl::Seconds(5);
  // Ladder diagrams (ConnectionRecord::ladder) for the HTML and Mermaid
  // reports; they never change the analysis (the caps do not depend on
  // them). kSelected keeps the ladders of every connection with an anomaly
  // plus those of the `ladder_others` unflagged connections with the
  // lowest ids; the others are dropped when the record is written; the
  // recorders of open connections share `ladder_budget_bytes`. kOne records
  // only connection `ladder_connection`, kFirstPackets those whose first
  // packet is in `ladder_packets`.
  LadderMode ladders = LadderMode::kOff;
  uint64_t ladder_connection = 0;
  std::vector<uint64_t> ladder_packets;  // sorted
  uint64_t ladder_others = 50;
  uint64_t ladder_budget_bytes = uint64_t{64} << 20;
  LadderLimits ladder_limits;  // per connection
  // IP fragment reassembly (analyzer/ip_reassembly.h). Off: a first
  // fragment is analysed as a short segment, the others skipped.
  ReassemblyOptions reassembly;
};

// The flow table options `options` give, for a table holding all the
// connections (`shards` 1) or one shard of them: the connection caps are
// split evenly, rounded up.
FlowTableOptions FlowTableOptionsOf(const AnalyzerOptions& options,
                                    size_t shards);

// The collector options `options` give.
RecordCollector::Options CollectorOptionsOf(const AnalyzerOptions& options);

// Receives each connection record as soon as it is finished.
class ConnectionSink {
 public:
  virtual ~ConnectionSink() = default;
  virtual void OnConnectionFinished(const ConnectionRecord& record) = 0;
  // Live mode only (AnalyzerOptions::live).
  virtual void OnStateChange(const StateChangeEvent& /*event*/) {}
  virtual void OnAnomaly(const AnomalyEvent& /*event*/) {}
};

class FlowTable;

// Decodes frames and tracks connections. Single-threaded; frames must be
// fed in capture order.
class Analyzer {
 public:
  // `sink` may be null; it must outlive the analyzer.
  Analyzer(const AnalyzerOptions& options, ConnectionSink* sink);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  void OnFrame(const Frame& frame);

  // Live mode: moves the clock to `now` (wall clock; never backwards) with
  // no packet: runs the expiry sweep (TIME_WAIT, idle timeouts) and the
  // stuck-state rules on open connections, and hands what finished or
  // fired to the sink.
  void AdvanceTime(absl::Time now);

  // Live mode: the open connections as of the last packet or AdvanceTime(),
  // at most `max_rows` in each list; the established ones by `sort` (their
  // rates since the previous snapshot).
  LiveSnapshot Snapshot(size_t max_rows, LiveSort sort = LiveSort::kRate);

  // Ends the capture: writes out every open connection (end reason
  // capture_end) and returns the result. `inputs`, `error` and
  // `timestamps_backwards` are filled in by the caller.
  AnalysisResult Finish();

  // The capture so far (packets, times, decode counters).
  const CaptureSummary& summary() const { return front_.summary(); }

  // The flow table cap the options give (connections).
  static size_t EffectiveMaxConnections(const AnalyzerOptions& options);

 private:
  void Drain();
  void OnFinished(ConnectionRecord&& rec);

  AnalyzerOptions options_;
  ConnectionSink* sink_;
  FrameFront front_;
  std::unique_ptr<FlowTable> table_;
  RecordCollector collector_;
  std::optional<absl::Time> clock_;  // latest AdvanceTime()
};

}  // namespace tcpstate
