#include "analyzer/analyzer.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "analyzer/connection.h"
#include "analyzer/flow_table.h"

namespace tcpstate {

FlowTableOptions FlowTableOptionsOf(const AnalyzerOptions& options,
                                    size_t shards) {
  FlowTableOptions t;
  t.time_wait = options.time_wait;
  t.idle_timeout = options.idle_timeout;
  t.anomalies = options.anomalies;
  const size_t cap = Analyzer::EffectiveMaxConnections(options);
  t.max_connections = (cap + shards - 1) / shards;
  // The SYN backlog: an eighth of the whole table, split the same way.
  t.max_unassured = (std::max<size_t>(1, cap / 8) + shards - 1) / shards;
  t.sweep_interval = options.sweep_interval;
  t.live = options.live;
  t.ladders = options.ladders;
  t.ladder_connection = options.ladder_connection;
  t.ladder_packets = options.ladder_packets;
  t.ladder_budget_bytes = options.ladder_budget_bytes;
  t.ladder_limits = options.ladder_limits;
  return t;
}

RecordCollector::Options CollectorOptionsOf(const AnalyzerOptions& options) {
  RecordCollector::Options c;
  c.anomalies = options.anomalies;
  c.retain_connections = options.retain_connections;
  c.ladders = options.ladders;
  c.ladder_others = options.ladder_others;
  return c;
}

Analyzer::Analyzer(const AnalyzerOptions& options, ConnectionSink* sink)
    : options_(options),
      sink_(sink),
      front_(options.reassembly),
      table_(std::make_unique<FlowTable>(FlowTableOptionsOf(options, 1))),
      collector_(CollectorOptionsOf(options), sink) {
  front_.summary().max_connections = EffectiveMaxConnections(options);
  table_->SetFinishedHandler(
      [this](ConnectionRecord&& rec) { OnFinished(std::move(rec)); });
}

Analyzer::~Analyzer() = default;

uint64_t FlowTableBytesPerConnection() {
  // A connection costs its pool slot (the object itself) and its share of
  // the table: one pointer per slot at a load of 7/16 to 7/8, and one in
  // the sweep schedule. Measured on 1 M open connections: sizeof + 25
  // bytes.
  return sizeof(Connection) + 32;
}

uint64_t DefaultMaxMemoryBytes() {
  // Whole MiB, rounded up (the command line takes MiB).
  const uint64_t bytes = FlowTableBytesPerConnection() * kDefaultMaxConnections;
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  return (bytes + kMiB - 1) / kMiB * kMiB;
}

size_t Analyzer::EffectiveMaxConnections(const AnalyzerOptions& options) {
  // Ladder recorders have a budget of their own: whatever the report, the
  // table holds the same connections.
  const uint64_t by_memory =
      options.max_memory_bytes / FlowTableBytesPerConnection();
  return static_cast<size_t>(std::max<uint64_t>(
      1, std::min<uint64_t>(options.max_connections, by_memory)));
}

void Analyzer::OnFrame(const Frame& frame) {
  const absl::Time now = front_.Take(
      frame, [this](const TcpSegment& seg, const SegmentContext& context) {
        table_->OnSegment(seg, context);
      });
  table_->Expire(now);
  Drain();
}

void Analyzer::AdvanceTime(absl::Time now) {
  if (clock_ && now <= *clock_) {
    return;
  }
  clock_ = now;
  front_.ExpireFragments(now);
  table_->Expire(now);
  Drain();
}

LiveSnapshot Analyzer::Snapshot(size_t max_rows, LiveSort sort) {
  absl::Time now = clock_.value_or(absl::UnixEpoch());
  const std::optional<absl::Time>& last = front_.summary().last_packet_time;
  if (last && *last > now) {
    now = *last;
  }
  return table_->Snapshot(now, max_rows, sort);
}

void Analyzer::Drain() {
  if (options_.live) {
    for (const StateChangeEvent& e : table_->TakeStateEvents()) {
      if (sink_ != nullptr) {
        sink_->OnStateChange(e);
      }
    }
    for (const AnomalyEvent& e : table_->TakeAnomalyEvents()) {
      if (sink_ != nullptr) {
        sink_->OnAnomaly(e);
      }
    }
  }
}

// Each record as the flow table finishes it; live, what happened before
// it was finished comes first.
void Analyzer::OnFinished(ConnectionRecord&& rec) {
  Drain();
  collector_.Add(std::move(rec));
}

AnalysisResult Analyzer::Finish() {
  // The end of the capture: its last packet, or, live, the clock if later.
  std::optional<absl::Time> end = front_.summary().last_packet_time;
  if (clock_ && (!end || *clock_ > *end)) {
    end = clock_;
  }
  front_.Finish(end);
  if (end) {
    collector_.SetCaptureEnd(*end);
    table_->FlushAll(*end);
  }
  Drain();
  return collector_.Finish(front_.summary(), table_->created());
}

}  // namespace tcpstate
