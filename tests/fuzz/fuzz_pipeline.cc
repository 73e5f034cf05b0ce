// libFuzzer target: the whole pipeline on multi-packet inputs. Frames go
// through Analyzer (flow table, endpoint machines, anomaly rules) and the
// result through every report writer: text, JSON (rendered, streamed, and
// from connections rendered as they finish, as the CLI spills them),
// JSON Lines (streamed through a ConnectionSink, as the CLI does), CSV, Zeek
// conn.log, Mermaid (every connection) and HTML; in live mode also the JSONL
// events and the live view.
//
// Input format (Zeek FuzzBuffer style):
//   byte 0      link type selector (index into kLinkTypes)
//   byte 1      option bits: bit 0 short --time-wait, bit 1 short idle
//               timeout, bit 2 tiny syn-flood thresholds, bit 3 a tiny
//               flow table (bits 4-5: 1 to 4 connections) and tiny IP
//               reassembly limits so that the eviction paths run; bit 6 ladders for every connection
//               (tiny head/middle/tail limits, 1 unflagged one kept); bit 7
//               live mode (AdvanceTime after every frame, events, view)
//   then up to kMaxFrames chunks separated by the 4-byte magic "\1PKT";
//   each chunk is one time-step byte then the frame bytes. Time steps:
//   0..199 advance 50 ms each, 200..254 advance (v - 199) * 30 s, 255 goes
//   back one second (captures do that; the analyzer must cope).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "analyzer/analyzer.h"
#include "dissectors/frame.h"
#include "reports/csv_report.h"
#include "reports/format.h"
#include "reports/html_report.h"
#include "reports/json_report.h"
#include "reports/live_events.h"
#include "reports/live_view.h"
#include "reports/mermaid_report.h"
#include "reports/text_report.h"
#include "reports/zeek_report.h"

namespace {

constexpr tcpstate::LinkType kLinkTypes[] = {
    tcpstate::LinkType::kEthernet, tcpstate::LinkType::kLinuxSll,
    tcpstate::LinkType::kLinuxSll2, tcpstate::LinkType::kNull,
    tcpstate::LinkType::kLoop,     tcpstate::LinkType::kRaw,
    tcpstate::LinkType::kIpv4,     tcpstate::LinkType::kIpv6,
    tcpstate::LinkType::kFddi,
};
constexpr char kMagic[] = "\1PKT";
constexpr size_t kMagicSize = 4;
constexpr size_t kMaxFrames = 64;

struct Chunk {
  absl::Duration step;
  std::vector<uint8_t> bytes;
};

absl::Duration StepFor(uint8_t v) {
  if (v == 255) {
    return absl::Seconds(-1);
  }
  if (v >= 200) {
    return absl::Seconds(30 * (v - 199));
  }
  return absl::Milliseconds(50 * v);
}

std::vector<Chunk> Split(const uint8_t* data, size_t size) {
  std::vector<Chunk> chunks;
  size_t at = 0;
  while (at < size && chunks.size() < kMaxFrames) {
    size_t end = at;
    while (end < size &&
           !(size - end >= kMagicSize &&
             std::memcmp(data + end, kMagic, kMagicSize) == 0)) {
      ++end;
    }
    if (end > at) {
      Chunk c;
      c.step = StepFor(data[at]);
      // Exactly sized heap copy, so ASan sees any read past the frame.
      c.bytes.assign(data + at + 1, data + end);
      c.bytes.shrink_to_fit();
      chunks.push_back(std::move(c));
    }
    at = end + kMagicSize;
  }
  return chunks;
}

class JsonlCollector : public tcpstate::ConnectionSink {
 public:
  void OnConnectionFinished(const tcpstate::ConnectionRecord& record) override {
    out_ += tcpstate::RenderJsonlConnection(record);
    tally_.Add(record);
    // As the CLI spills --format json: rendered now, written by id later.
    tcpstate::AppendJsonDocumentConnection(record, &documents_[record.id]);
  }
  const std::map<uint64_t, std::string>& documents() const {
    return documents_;
  }
  void OnStateChange(const tcpstate::StateChangeEvent& event) override {
    out_ += tcpstate::RenderJsonlStateEvent(event);
  }
  void OnAnomaly(const tcpstate::AnomalyEvent& event) override {
    out_ += tcpstate::RenderJsonlAnomalyEvent(event);
    recent_.push_back(event);
  }
  const std::vector<tcpstate::AnomalyEvent>& recent() const { return recent_; }
  const tcpstate::ConnectionTally& tally() const { return tally_; }

 private:
  std::string out_;
  std::map<uint64_t, std::string> documents_;  // by id
  tcpstate::ConnectionTally tally_;
  std::vector<tcpstate::AnomalyEvent> recent_;
};

tcpstate::AnalysisResult Run(const std::vector<Chunk>& chunks,
                             tcpstate::LinkType link,
                             const tcpstate::AnalyzerOptions& options,
                             tcpstate::ConnectionSink* sink) {
  tcpstate::Analyzer analyzer(options, sink);
  absl::Time t = absl::FromUnixSeconds(1700000000);
  uint64_t number = 0;
  for (const Chunk& c : chunks) {
    t += c.step;
    tcpstate::Frame frame;
    frame.timestamp = t;
    frame.number = ++number;
    frame.wire_length = static_cast<uint32_t>(c.bytes.size());
    frame.link = link;
    frame.bytes = absl::MakeConstSpan(c.bytes);
    analyzer.OnFrame(frame);
    if (options.live) {
      // The wall clock runs on a little past the packet (or, after a step
      // back, behind the latest one).
      analyzer.AdvanceTime(t + absl::Milliseconds(10));
      const tcpstate::LiveSnapshot snapshot = analyzer.Snapshot(4);
      if (number % 8 == 0) {
        tcpstate::LiveViewModel model;
        model.interface = "fuzz0";
        model.now = t;
        model.packets = number;
        model.table = snapshot;
        if (const auto* collector = dynamic_cast<JsonlCollector*>(sink)) {
          model.recent = collector->recent();
        }
        const std::string view = tcpstate::RenderLiveView(model, 80, 24);
        (void)view;
      }
    }
  }
  tcpstate::AnalysisResult result = analyzer.Finish();
  tcpstate::InputInfo input;
  input.name = "fuzz.pcap";
  input.link_type = tcpstate::LinkTypeName(link);
  input.packets = number;
  result.inputs.push_back(input);
  return result;
}

// Nothing is lost: created = finished + evicted + still open, and every
// created connection has a record.
void CheckAccounting(const tcpstate::AnalysisResult& result, bool empty) {
  const tcpstate::CaptureSummary& s = result.summary;
  if (s.connections != s.connections_finished + s.connections_evicted +
                           s.connections_open_at_end ||
      s.connections != result.connections.size() ||
      (empty && s.connections != 0)) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) {
    return 0;
  }
  const tcpstate::LinkType link =
      kLinkTypes[data[0] % (sizeof(kLinkTypes) / sizeof(kLinkTypes[0]))];
  const uint8_t bits = data[1];
  const std::vector<Chunk> chunks = Split(data + 2, size - 2);

  tcpstate::AnalyzerOptions options;
  if ((bits & 1) != 0) {
    options.time_wait = absl::Seconds(1);
  }
  if ((bits & 2) != 0) {
    options.idle_timeout = absl::Seconds(5);
  }
  if ((bits & 4) != 0) {
    options.anomalies.syn_flood_min = 2;
    options.anomalies.syn_flood_sources = 1;
    options.anomalies.stuck_after = absl::Seconds(2);
  }
  if ((bits & 8) != 0) {
    options.max_connections = 1 + ((bits >> 4) & 3);
    // IP reassembly limits as tiny, so its drop paths run too.
    options.reassembly.max_datagrams = 1 + ((bits >> 4) & 3);
    options.reassembly.max_bytes = 64 << 10;
    options.reassembly.timeout = absl::Seconds(1);
  }
  if ((bits & 64) != 0) {
    options.ladders = tcpstate::LadderMode::kSelected;
    options.ladder_others = 1;
    options.ladder_limits = {2, 2, 2};
  }
  if ((bits & 128) != 0) {
    options.live = true;
    options.sweep_interval = absl::Seconds(1);
  }

  // Retained result: text and JSON.
  std::string retained_json;
  {
    const tcpstate::AnalysisResult result = Run(chunks, link, options, nullptr);
    const std::string text = tcpstate::RenderText(result, {});
    const std::string colored = tcpstate::RenderText(result, {true});
    const std::string json = tcpstate::RenderJson(result);
    std::ostringstream streamed;
    tcpstate::WriteJson(result, streamed);
    // The two JSON paths must agree byte for byte.
    if (streamed.str() != json) {
      __builtin_trap();
    }
    retained_json = json;
    CheckAccounting(result, chunks.empty());
    std::ostringstream csv;
    tcpstate::WriteCsv(result, csv);
    std::ostringstream zeek;
    tcpstate::WriteZeekConnLog(result, zeek);
    for (const tcpstate::ConnectionRecord& c : result.connections) {
      const std::string mermaid = tcpstate::RenderMermaid(result, c);
      (void)mermaid;
    }
    // HTML with small caps; nothing in it may open a script element but
    // the page's own three.
    tcpstate::HtmlOptions html_options;
    html_options.diagrams = 1;
    html_options.max_flagged = 2;
    html_options.timeline_bars = 20;
    const std::string html = tcpstate::RenderHtml(result, html_options);
    size_t scripts = 0;
    for (size_t pos = html.find("<script"); pos != std::string::npos;
         pos = html.find("<script", pos + 1)) {
      ++scripts;
    }
    if (scripts != 3) {
      __builtin_trap();
    }
  }
  // Streaming: JSON Lines through a sink, connections not retained.
  {
    tcpstate::AnalyzerOptions streaming = options;
    streaming.retain_connections = false;
    JsonlCollector sink;
    const tcpstate::AnalysisResult result =
        Run(chunks, link, streaming, &sink);
    const std::string summary =
        tcpstate::RenderJsonlSummary(result, sink.tally());
    (void)summary;
    if (!result.connections.empty()) {
      __builtin_trap();  // streaming must not retain records
    }
    // The document from the connections rendered as they finished (ids 1
    // to the last, each once) is the retained run's, byte for byte.
    const std::map<uint64_t, std::string>& documents = sink.documents();
    if (!documents.empty() &&
        (documents.begin()->first != 1 ||
         documents.rbegin()->first != documents.size())) {
      __builtin_trap();
    }
    tcpstate::JsonConnections connections;
    connections.count = documents.size();
    connections.text = [&documents](uint64_t index, std::string* out) {
      *out += documents.at(index + 1);
      return true;
    };
    std::ostringstream spilled;
    if (!tcpstate::WriteJson(result, sink.tally(), connections, spilled) ||
        spilled.str() != retained_json) {
      __builtin_trap();
    }
  }
  return 0;
}
