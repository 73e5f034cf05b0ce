#include "analyzer/analyzer.h"

namespace tcpstate {

// Placeholder until the tracker lands.
class FlowTable {};

Analyzer::Analyzer(const AnalyzerOptions& options, ConnectionSink* sink)
    : options_(options), sink_(sink), table_(std::make_unique<FlowTable>()) {}

Analyzer::~Analyzer() = default;

void Analyzer::OnFrame(const Frame& frame) {
  ++summary_.packets;
  summary_.bytes += frame.bytes.size();
}

AnalysisResult Analyzer::Finish() {
  AnalysisResult result;
  result.summary = summary_;
  result.connections = std::move(finished_);
  return result;
}

}  // namespace tcpstate
