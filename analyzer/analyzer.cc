#include "analyzer/analyzer.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "analyzer/connection.h"
#include "analyzer/flow_table.h"
#include "analyzer/isn_analysis.h"
#include "analyzer/syn_flood.h"
#include "dissectors/decode.h"

namespace tcpstate {

Analyzer::Analyzer(const AnalyzerOptions& options, ConnectionSink* sink)
    : options_(options), sink_(sink), reassembler_(options.reassembly) {
  FlowTableOptions t;
  t.time_wait = options.time_wait;
  t.idle_timeout = options.idle_timeout;
  t.anomalies = options.anomalies;
  t.max_connections = EffectiveMaxConnections(options);
  t.sweep_interval = options.sweep_interval;
  t.live = options.live;
  t.ladders = options.ladders;
  t.ladder_connection = options.ladder_connection;
  t.ladder_ids = options.ladder_ids;
  t.ladder_budget_bytes = options.ladder_budget_bytes;
  t.ladder_limits = options.ladder_limits;
  summary_.max_connections = t.max_connections;
  table_ = std::make_unique<FlowTable>(t);
  table_->SetFinishedHandler(
      [this](ConnectionRecord&& rec) { OnFinished(std::move(rec)); });
  syn_flood_ = std::make_unique<SynFloodDetector>(options.anomalies);
  isn_ = std::make_unique<IsnAnalyzer>();
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
  ++summary_.packets;
  summary_.bytes += frame.bytes.size();
  if (!summary_.first_packet_time) {
    summary_.first_packet_time = frame.timestamp;
  }
  // Capture time only moves forward, even if a record's timestamp does not.
  if (!summary_.last_packet_time ||
      frame.timestamp > *summary_.last_packet_time) {
    summary_.last_packet_time = frame.timestamp;
  }
  const absl::Time now = *summary_.last_packet_time;
  reassembler_.Expire(now, summary_.decode);
  DecodeOptions decode;
  decode.report_fragments = options_.reassembly.enabled;
  Feed(Decode(frame.link, frame.bytes, summary_.decode, decode),
       SegmentContext{frame.number, now});
  table_->Expire(now);
  Drain();
}

void Analyzer::Feed(const DecodedPacket& d, const SegmentContext& context) {
  if (d.outcome == DecodeOutcome::kFragment) {
    FeedFragment(d, context);
  } else if (d.segment) {
    ++summary_.tcp_packets;
    table_->OnSegment(*d.segment, context);
  }
}

// A completed datagram is analysed with the number and time of the
// fragment that completed it (Wireshark's "reassembled in"). Each round
// goes one tunnel deeper, so DecodeReassembled's depth limit ends the
// loop; the bound is a second guard.
void Analyzer::FeedFragment(DecodedPacket d, const SegmentContext& context) {
  std::optional<CompletedDatagram> datagram;
  for (int round = 0; d.outcome == DecodeOutcome::kFragment && round < 8;
       ++round) {
    // Add() copies the fragment, whose spans may borrow `datagram`.
    std::optional<CompletedDatagram> done =
        reassembler_.Add(*d.fragment, context.t, summary_.decode);
    if (!done.has_value()) {
      return;
    }
    datagram = std::move(done);
    d = DecodeReassembled(datagram->View(), summary_.decode);
  }
  if (d.segment) {
    ++summary_.tcp_packets;
    table_->OnSegment(*d.segment, context);
  }
}

void Analyzer::AdvanceTime(absl::Time now) {
  if (clock_ && now <= *clock_) {
    return;
  }
  clock_ = now;
  reassembler_.Expire(now, summary_.decode);
  table_->Expire(now);
  Drain();
}

LiveSnapshot Analyzer::Snapshot(size_t max_lingering) const {
  absl::Time now = clock_.value_or(absl::UnixEpoch());
  if (summary_.last_packet_time && *summary_.last_packet_time > now) {
    now = *summary_.last_packet_time;
  }
  return table_->Snapshot(now, max_lingering);
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

// Each record as the flow table finishes it: counted, fed to the host-level
// analyses, streamed to the sink, kept only when the report needs it.
void Analyzer::OnFinished(ConnectionRecord&& rec) {
  Drain();  // live: what happened before it was finished comes first
  switch (rec.end_reason) {
    case EndReason::kEvicted:
      ++summary_.connections_evicted;
      break;
    case EndReason::kCaptureEnd:
      ++summary_.connections_open_at_end;
      break;
    case EndReason::kClosed:
    case EndReason::kReset:
    case EndReason::kTimeWaitExpired:
    case EndReason::kIdleTimeout:
    case EndReason::kPortReuse:
      ++summary_.connections_finished;
      break;
  }
  SelectLadder(rec, finished_.size());
  syn_flood_->Add(rec);
  isn_->Add(rec);
  if (sink_ != nullptr) {
    sink_->OnConnectionFinished(rec);
  }
  if (options_.retain_connections) {
    finished_.push_back(std::move(rec));
  }
}

// Records finish out of id order: an unflagged ladder is kept while it is
// among the `ladder_others` lowest ids seen so far, and dropped (here or
// later, from finished_) once enough lower ids have come.
void Analyzer::SelectLadder(ConnectionRecord& rec, size_t index) {
  if (options_.ladders != LadderMode::kSelected || !rec.ladder ||
      !rec.anomalies.empty()) {
    return;
  }
  if (options_.ladder_others == 0) {
    rec.ladder.reset();
    return;
  }
  if (ladder_others_.size() == options_.ladder_others) {
    auto highest = std::prev(ladder_others_.end());
    if (rec.id > highest->first) {
      rec.ladder.reset();
      return;
    }
    if (options_.retain_connections) {
      finished_[highest->second].ladder.reset();
    }
    ladder_others_.erase(highest);
  }
  ladder_others_.emplace(rec.id, index);
}

AnalysisResult Analyzer::Finish() {
  // The end of the capture: its last packet, or, live, the clock if later.
  std::optional<absl::Time> end = summary_.last_packet_time;
  if (clock_ && (!end || *clock_ > *end)) {
    end = clock_;
  }
  if (end) {
    reassembler_.Expire(*end, summary_.decode);
  }
  reassembler_.Finish(summary_.decode);
  if (end) {
    syn_flood_->SetCaptureEnd(*end);
    table_->FlushAll(*end);
  }
  Drain();
  AnalysisResult result;
  syn_flood_->Finish(result.hosts, result.anomalies);
  isn_->Finish(result.hosts, result.anomalies);
  summary_.connections = table_->created();
  result.summary = summary_;
  // By id: sort (id, index) pairs, then move each record once.
  std::vector<std::pair<uint64_t, size_t>> order;
  order.reserve(finished_.size());
  for (size_t i = 0; i < finished_.size(); ++i) {
    order.emplace_back(finished_[i].id, i);
  }
  std::sort(order.begin(), order.end());
  result.connections.reserve(finished_.size());
  for (const auto& [id, index] : order) {
    result.connections.push_back(std::move(finished_[index]));
  }
  finished_.clear();
  return result;
}

}  // namespace tcpstate
