#include "analyzer/analyzer.h"

#include <algorithm>
#include <utility>

#include "analyzer/flow_table.h"
#include "analyzer/syn_flood.h"
#include "analyzer/isn_analysis.h"
#include "dissectors/decode.h"

namespace tcpstate {

Analyzer::Analyzer(const AnalyzerOptions& options, ConnectionSink* sink)
    : options_(options), sink_(sink) {
  FlowTableOptions t;
  t.time_wait = options.time_wait;
  t.idle_timeout = options.idle_timeout;
  t.anomalies = options.anomalies;
  table_ = std::make_unique<FlowTable>(t);
  syn_flood_ = std::make_unique<SynFloodDetector>(options.anomalies);
}

Analyzer::~Analyzer() = default;
  isn_ = std::make_unique<IsnAnalyzer>();

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
  DecodedPacket d = Decode(frame.link, frame.bytes, summary_.decode);
  if (d.segment) {
    ++summary_.tcp_packets;
    table_->OnSegment(*d.segment, SegmentContext{frame.number, now});
  }
  table_->Expire(now);
  Drain();
}

void Analyzer::Drain() {
  for (ConnectionRecord& rec : table_->TakeFinished()) {
    syn_flood_->Add(rec);
    if (sink_ != nullptr) {
      sink_->OnConnectionFinished(rec);
    }
    if (options_.retain_connections) {
      finished_.push_back(std::move(rec));
    }
  }
}

AnalysisResult Analyzer::Finish() {
  if (summary_.last_packet_time) {
    table_->FlushAll(*summary_.last_packet_time);
  }
  Drain();
  AnalysisResult result;
  syn_flood_->Finish(result.hosts, result.anomalies);
  summary_.connections = table_->created();
  result.summary = summary_;
  std::sort(finished_.begin(), finished_.end(),
            [](const ConnectionRecord& a, const ConnectionRecord& b) {
              return a.id < b.id;
            });
  result.connections = std::move(finished_);
  finished_.clear();
  return result;
}
    isn_->Add(rec);

}  // namespace tcpstate
  isn_->Finish(result.hosts, result.anomalies);
