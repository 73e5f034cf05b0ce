#include "analyzer/record_collector.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "analyzer/analyzer.h"
#include "analyzer/isn_analysis.h"
#include "analyzer/syn_flood.h"

namespace tcpstate {

RecordCollector::RecordCollector(const Options& options, ConnectionSink* sink)
    : options_(options),
      sink_(sink),
      syn_flood_(std::make_unique<SynFloodDetector>(options.anomalies)),
      isn_(std::make_unique<IsnAnalyzer>()) {}

RecordCollector::~RecordCollector() = default;

// Each record as it is finished: counted, fed to the host-level analyses,
// streamed to the sink, kept only when the report needs it.
void RecordCollector::Add(ConnectionRecord&& rec) {
  switch (rec.end_reason) {
    case EndReason::kEvicted:
      ++evicted_;
      break;
    case EndReason::kCaptureEnd:
      ++open_at_end_;
      break;
    case EndReason::kClosed:
    case EndReason::kReset:
    case EndReason::kTimeWaitExpired:
    case EndReason::kIdleTimeout:
    case EndReason::kPortReuse:
      ++finished_count_;
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
void RecordCollector::SelectLadder(ConnectionRecord& rec, size_t index) {
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

void RecordCollector::SetCaptureEnd(absl::Time end) {
  syn_flood_->SetCaptureEnd(end);
}

AnalysisResult RecordCollector::Finish(const CaptureSummary& summary,
                                       uint64_t created) {
  AnalysisResult result;
  syn_flood_->Finish(result.hosts, result.anomalies);
  isn_->Finish(result.hosts, result.anomalies);
  result.summary = summary;
  result.summary.connections = created;
  result.summary.connections_finished = finished_count_;
  result.summary.connections_evicted = evicted_;
  result.summary.connections_open_at_end = open_at_end_;
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
