#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly_options.h"
#include "analyzer/ladder_recorder.h"

namespace tcpstate {

class ConnectionSink;
class SynFloodDetector;
class IsnAnalyzer;

// What becomes of finished connection records, in the order they finish:
// the end-reason counters, the host-level analyses (SYN flood, ISN
// predictability), the kSelected ladder rule, the sink, and the records
// kept for the final result. The single-threaded analyzer feeds it from
// its flow table; the sharded one from its merger, in the same order, so
// the host-level findings and the sink's rows are the same.
class RecordCollector {
 public:
  struct Options {
    AnomalyOptions anomalies;
    bool retain_connections = true;
    LadderMode ladders = LadderMode::kOff;
    uint64_t ladder_others = 50;
  };
  // `sink` may be null; it must outlive the collector.
  RecordCollector(const Options& options, ConnectionSink* sink);
  ~RecordCollector();
  RecordCollector(const RecordCollector&) = delete;
  RecordCollector& operator=(const RecordCollector&) = delete;

  void Add(ConnectionRecord&& rec);
  // The capture's end, before the last records (pending handshakes then
  // count towards a SYN flood).
  void SetCaptureEnd(absl::Time end);
  // The result: `summary` with the connection counters filled in
  // (`created` records in all), host findings, the kept records by id.
  AnalysisResult Finish(const CaptureSummary& summary, uint64_t created);

 private:
  // Applies the kSelected rule to a finished record that will sit at
  // `index` in finished_ (when retained).
  void SelectLadder(ConnectionRecord& rec, size_t index);

  Options options_;
  ConnectionSink* sink_;
  std::unique_ptr<SynFloodDetector> syn_flood_;
  std::unique_ptr<IsnAnalyzer> isn_;
  uint64_t finished_count_ = 0;
  uint64_t evicted_ = 0;
  uint64_t open_at_end_ = 0;
  std::vector<ConnectionRecord> finished_;
  // Unflagged connections whose ladder is kept: id -> index in finished_.
  std::map<uint64_t, size_t> ladder_others_;
};

}  // namespace tcpstate
