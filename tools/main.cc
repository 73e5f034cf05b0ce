// tcpstate: the composition root. Wires the pcap file source, the analyzer
// and the report renderers together; the only code that writes to the
// terminal.

#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "analyzer/capture/pcap_file_source.h"
#include "analyzer/parallel_analyzer.h"
#include "reports/csv_report.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_report.h"
#include "reports/json_report.h"
#include "reports/mermaid_report.h"
#include "reports/text_report.h"
#include "reports/zeek_report.h"
#include "tools/anomaly_table.h"
#include "tools/ci_steps.h"
#include "tools/cli.h"
#include "tools/live.h"
#include "tools/progress.h"
#include "tools/record_spill.h"
#include "tools/report_output.h"

#ifndef TCPSTATE_VERSION
#define TCPSTATE_VERSION "0.0.0"
#endif

namespace tcpstate {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsageOrInput = 2;

// The formats whose rows are written as connections finish (offline).
bool StreamsRows(ReportFormat f) {
  return f == ReportFormat::kJsonl || f == ReportFormat::kCsv ||
         f == ReportFormat::kZeek;
}

// The formats that need no records kept until the end (offline): rows
// written as connections finish, or (json) rendered then and spilled.
bool RecordsLeaveAsTheyFinish(ReportFormat f) {
  return StreamsRows(f) || f == ReportFormat::kJson;
}

// jsonl, csv and zeek: each finished connection is written as soon as it
// is finished, in the order connections finish (as Zeek writes conn.log),
// and then dropped; Report() writes what follows the rows. json: each is
// rendered as the document will hold it and spilled (RecordSpill) until
// Report() writes the document in id order. Keeps the state tallies for
// the summary.
class StreamingSink : public ConnectionSink {
 public:
  StreamingSink(ReportFormat format, std::ostream* out)
      : format_(format), out_(out) {
    if (format == ReportFormat::kJson) {
      spill_ = std::make_unique<RecordSpill>();
    }
  }
  // The spilled json connections (null for the other formats).
  RecordSpill* spill() { return spill_.get(); }
  // The first packet's time, for the zeek header (called from the thread
  // that finishes connections).
  void set_first_packet_time(
      std::function<std::optional<absl::Time>()> first_packet_time) {
    first_packet_time_ = std::move(first_packet_time);
  }

  void OnConnectionFinished(const ConnectionRecord& record) override {
    // A file is read as fast as it can be: rows are gathered and written
    // in large pieces (live capture flushes every line, tools/live.cc).
    tally_.Add(record);
    if (spill_ != nullptr) {
      text_.clear();
      AppendJsonDocumentConnection(record, &text_);
      spill_->Put(record.id, text_);
      return;
    }
    WriteHeader();
    if (format_ == ReportFormat::kCsv) {
      pending_ += CsvRow(record);
    } else if (format_ == ReportFormat::kZeek) {
      pending_ += ZeekConnRow(record);
    } else {
      AppendJsonlConnection(record, &pending_);
    }
    if (pending_.size() >= kWriteBytes) {
      Flush();
    }
  }

  // Writes the rows gathered so far.
  void Flush() {
    out_->write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
    pending_.clear();
  }

  // The lines before the first row (written by then; at the end of an
  // input with no connection, by Report()).
  void WriteHeader() {
    if (header_written_) {
      return;
    }
    header_written_ = true;
    if (format_ == ReportFormat::kCsv) {
      *out_ << CsvHeader();
    } else if (format_ == ReportFormat::kZeek && first_packet_time_) {
      CaptureSummary opened;
      opened.first_packet_time = first_packet_time_();
      *out_ << ZeekConnLogHeader(opened);
    }
  }

  const ConnectionTally& tally() const { return tally_; }

 private:
  ReportFormat format_;
  std::ostream* out_;
  std::function<std::optional<absl::Time>()> first_packet_time_;
  bool header_written_ = false;
  ConnectionTally tally_;
  static constexpr size_t kWriteBytes = size_t{256} << 10;
  std::string pending_;  // rows not yet written (its buffer reused)
  std::unique_ptr<RecordSpill> spill_;  // json only
  std::string text_;  // a json connection being rendered (buffer reused)
};

// The analysis of a run: on the reading thread, or sharded over worker
// threads (the same output).
class Engine {
 public:
  Engine(const AnalyzerOptions& options, size_t threads, ConnectionSink* sink) {
    if (threads > 1) {
      parallel_ = std::make_unique<ParallelAnalyzer>(options, threads, sink);
    } else {
      single_ = std::make_unique<Analyzer>(options, sink);
    }
  }
  void OnFrame(const Frame& frame) {
    if (single_ != nullptr) {
      single_->OnFrame(frame);
    } else {
      parallel_->OnFrame(frame);
    }
  }
  AnalysisResult Finish() {
    return single_ != nullptr ? single_->Finish() : parallel_->Finish();
  }
  // Safe from the sink's thread.
  std::optional<absl::Time> first_packet_time() const {
    return single_ != nullptr ? single_->summary().first_packet_time
                              : parallel_->first_packet_time();
  }

 private:
  std::unique_ptr<Analyzer> single_;
  std::unique_ptr<ParallelAnalyzer> parallel_;
};

int Fail(absl::string_view message) {
  std::cerr << "tcpstate: " << TerminalSafe(message) << "\n";
  return kExitUsageOrInput;
}

// Reads every frame into the analyzer. Returns the error that stopped the
// input early, or an empty string at the clean end.
std::string Feed(PcapFileSource& source, Engine& analyzer,
                 ProgressMeter& progress) {
  while (true) {
    absl::StatusOr<std::optional<Frame>> next = source.Next();
    if (!next.ok()) {
      return std::string(next.status().message());
    }
    if (!next->has_value()) {
      return "";
    }
    analyzer.OnFrame(**next);
    progress.Update(source.consumed_bytes(), source.total_bytes(),
                    (*next)->number);
  }
}

// --format mermaid: the one connection asked for, or exit 2.
int WriteMermaid(const CliOptions& options, const AnalysisResult& result,
                 std::ostream& out) {
  for (const ConnectionRecord& c : result.connections) {
    if (c.id == options.connection) {
      out << RenderMermaid(result, c);
      return kExitOk;
    }
  }
  return Fail("--connection " + std::to_string(options.connection) +
              ": no such connection (this capture has " +
              std::to_string(result.connections.size()) +
              ", numbered from 1)");
}

// The anomaly thresholds of the command line, as the analyzer takes them.
AnomalyOptions AnomalyOptionsOf(const CliOptions& options) {
  AnomalyOptions a;
  a.stuck_after = options.stuck_after;
  for (const auto& [kind, duration] : options.stuck_after_overrides) {
    a.overrides[static_cast<size_t>(kind)] = duration;
  }
  a.syn_flood_min = options.syn_flood_min;
  a.syn_flood_sources = options.syn_flood_sources;
  a.syn_flood_window = options.syn_flood_window;
  return a;
}

bool OutputIsTerminal(const CliOptions& options) {
  return options.output.empty() && isatty(STDOUT_FILENO) == 1;
}

AnalyzerOptions AnalyzerOptionsOf(const CliOptions& options) {
  AnalyzerOptions a;
  a.time_wait = options.time_wait;
  a.anomalies = AnomalyOptionsOf(options);
  a.retain_connections =
      !RecordsLeaveAsTheyFinish(options.format) || options.ci.Active();
  a.max_connections = options.max_connections;
  a.max_memory_bytes = options.max_memory_mib << 20;
  a.reassembly = options.reassembly;
  if (options.format == ReportFormat::kMermaid) {
    a.ladders = LadderMode::kOne;
    a.ladder_connection = options.connection;
  }
  if (options.format == ReportFormat::kHtml) {  // the page's diagrams
    a.ladders = LadderMode::kSelected;
    a.ladder_others = options.diagrams;
  }
  return a;
}

int Report(const CliOptions& options, const CiInputs& ci,
           const AnalysisResult& result, const ConnectionTally& tally,
           bool rows_streamed, RecordSpill* spill, std::ostream& out);

// How many threads analyse a file: --threads (auto: the online cores, at
// most 16), but one while ladders are chosen as connections are created
// (kSelected, kOne: by a budget or an id the shards do not know), i.e. for
// html and mermaid from standard input.
size_t ThreadsOf(const CliOptions& options, const AnalyzerOptions& a) {
  if (a.ladders == LadderMode::kSelected || a.ladders == LadderMode::kOne) {
    return 1;
  }
  return options.threads == 0 ? DefaultThreads() : options.threads;
}

// --format html and mermaid on files: the first read analyses with no
// ladders (the same analysis as every other format, on as many threads); a
// second read records the ladders of just the connections drawn, chosen by
// their first packets. Standard input cannot be read twice: there the
// first read records ladders (html: within their own budget).
bool LaddersFromSecondRead(const CliOptions& options) {
  if (options.format != ReportFormat::kHtml &&
      options.format != ReportFormat::kMermaid) {
    return false;
  }
  for (const std::string& input : options.inputs) {
    if (input == "-") {
      return false;
    }
  }
  return true;
}

// The connections a second read records ladders for: those the HTML page
// draws, or the one --format mermaid draws.
std::vector<bool> DrawnConnections(const CliOptions& options,
                                   const AnalysisResult& result) {
  if (options.format == ReportFormat::kMermaid) {
    std::vector<bool> drawn(result.connections.size(), false);
    for (size_t i = 0; i < drawn.size(); ++i) {
      drawn[i] = result.connections[i].id == options.connection;
    }
    return drawn;
  }
  const HtmlOptions html;
  return DiagramSelection(result.connections, options.diagrams,
                          html.max_flagged);
}

// The second read: the ladders of the connections drawn, moved into
// `result` (whose connections are sorted by id). The analysis is the first
// read's, repeated on the same input with the same options and threads, so
// the connections are the same.
void AddLadders(const CliOptions& options, size_t threads,
                AnalysisResult& result) {
  const std::vector<bool> drawn = DrawnConnections(options, result);
  AnalyzerOptions a = AnalyzerOptionsOf(options);
  a.ladders = LadderMode::kFirstPackets;
  for (size_t i = 0; i < drawn.size(); ++i) {
    if (drawn[i]) {
      a.ladder_packets.push_back(result.connections[i].first_packet);
    }
  }
  if (a.ladder_packets.empty()) {
    return;
  }
  std::sort(a.ladder_packets.begin(), a.ladder_packets.end());
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({options.inputs, options.filter});
  if (!source.ok()) {
    return;  // the page then says segments were not recorded
  }
  Engine analyzer(a, threads, nullptr);
  ProgressMeter quiet(nullptr, [] { return absl::Now(); });
  Feed(**source, analyzer, quiet);
  AnalysisResult second = analyzer.Finish();
  size_t j = 0;
  for (ConnectionRecord& c : second.connections) {
    while (j < result.connections.size() && result.connections[j].id < c.id) {
      ++j;
    }
    if (c.ladder && j < result.connections.size() &&
        result.connections[j].id == c.id) {
      result.connections[j].ladder = std::move(c.ladder);
    }
  }
}

int Run(const CliOptions& options) {
  // Expectations and baseline first: a bad file fails before any work.
  absl::StatusOr<CiInputs> ci = LoadCiInputs(options.ci);
  if (!ci.ok()) {
    return Fail(ci.status().message());
  }
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({options.inputs, options.filter});
  if (!source.ok()) {
    return Fail(source.status().message());
  }
  PcapFileSource& src = **source;
  // Opened after the input, so a bad -r does not truncate the output file.
  std::ofstream file;
  const absl::StatusOr<std::ostream*> opened =
      OpenReportOutput(options.output, file);
  if (!opened.ok()) {
    return Fail(opened.status().message());
  }
  std::ostream& out = **opened;

  const bool streamed = StreamsRows(options.format);
  const bool sunk = RecordsLeaveAsTheyFinish(options.format);
  StreamingSink sink(options.format, &out);
  AnalyzerOptions analyzer_options = AnalyzerOptionsOf(options);
  const bool second_read = LaddersFromSecondRead(options);
  if (second_read) {
    analyzer_options.ladders = LadderMode::kOff;
  }
  const size_t threads = ThreadsOf(options, analyzer_options);
  Engine analyzer(analyzer_options, threads, sunk ? &sink : nullptr);
  sink.set_first_packet_time(
      [&analyzer] { return analyzer.first_packet_time(); });

  ProgressMeter progress(
      ProgressWanted(isatty(STDERR_FILENO) == 1, options.quiet) ? &std::cerr
                                                                : nullptr,
      [] { return absl::Now(); });
  const std::string error = Feed(src, analyzer, progress);
  progress.Finish();
  AnalysisResult result = analyzer.Finish();
  result.inputs = src.inputs();
  result.error = error;
  result.summary.timestamps_backwards = src.timestamps_backwards();
  if (second_read) {
    AddLadders(options, threads, result);
  }
  if (streamed) {
    sink.WriteHeader();
    sink.Flush();
  }
  return Report(options, *ci, result, sink.tally(), streamed, sink.spill(),
                out);
}

// The json document with the connections `spill` holds (ids 1 to the
// last, in order). False if one cannot be read back.
bool WriteSpilledJson(const AnalysisResult& result,
                      const ConnectionTally& tally, RecordSpill& spill,
                      std::ostream& out) {
  JsonConnections connections;
  connections.count = spill.max_id();
  connections.text = [&spill](uint64_t index, std::string* text) {
    return spill.Get(index + 1, text);
  };
  return WriteJson(result, tally, connections, out);
}

// The final report of `result` (offline and live alike), then the CI checks.
// `rows_streamed`: the csv and zeek rows were written as connections
// finished (offline), so only what follows them is left. `spill`: the json
// connections, rendered as they finished (offline); else they are in
// `result`.
int Report(const CliOptions& options, const CiInputs& ci,
           const AnalysisResult& result, const ConnectionTally& tally,
           bool rows_streamed, RecordSpill* spill, std::ostream& out) {
  switch (options.format) {
    case ReportFormat::kText:
      out << RenderText(result, {OutputIsTerminal(options)});
      break;
    case ReportFormat::kJson:
      if (spill == nullptr) {
        WriteJson(result, out);
      } else if (!WriteSpilledJson(result, tally, *spill, out)) {
        return Fail(spill->error());
      }
      break;
    case ReportFormat::kJsonl:
      out << RenderJsonlSummary(result, tally);
      break;
    case ReportFormat::kCsv:
      if (!rows_streamed) {
        WriteCsv(result, out);
      }
      break;
    case ReportFormat::kZeek:
      if (rows_streamed) {
        out << ZeekConnLogFooter(result.summary);
      } else {
        WriteZeekConnLog(result, out);
      }
      break;
    case ReportFormat::kMermaid:
      if (const int rc = WriteMermaid(options, result, out); rc != kExitOk) {
        return rc;
      }
      break;
    case ReportFormat::kHtml: {
      HtmlOptions html;
      html.diagrams = options.diagrams;
      WriteHtml(result, html, out);
      break;
    }
  }
  out.flush();
  if (!out) {
    return Fail("cannot write the report" +
                (options.output.empty() ? std::string()
                                        : " to '" + options.output + "'"));
  }
  if (!result.error.empty()) {
    return Fail(result.error);
  }
  return RunCiChecks(options.ci, ci, result);
}

// tcpstate -i: the live loop (tools/live.cc) with this file's report code.
int RunLiveCapture(const CliOptions& options) {
  absl::StatusOr<CiInputs> ci = LoadCiInputs(options.ci);
  if (!ci.ok()) {
    return Fail(ci.status().message());
  }
  LiveHooks hooks;
  hooks.analyzer = AnalyzerOptionsOf(options);
  hooks.report = [&](const CliOptions& final_options,
                     const AnalysisResult& result,
                     const ConnectionTally& tally, std::ostream& out) {
    return Report(final_options, *ci, result, tally, /*rows_streamed=*/false,
                  /*spill=*/nullptr, out);
  };
  return RunLive(options, hooks);
}

}  // namespace
}  // namespace tcpstate

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  absl::StatusOr<tcpstate::CliOptions> options =
      tcpstate::ParseCommandLineArgs(args);
  if (!options.ok()) {
    std::cerr << "tcpstate: "
              << tcpstate::TerminalSafe(options.status().message())
              << "\nTry 'tcpstate --help'.\n";
    return tcpstate::kExitUsageOrInput;
  }
  if (options->help) {
    std::cout << tcpstate::UsageText();
    return tcpstate::kExitOk;
  }
  if (options->list_anomalies) {
    std::cout << tcpstate::AnomalyCatalogueMarkdown();
    return tcpstate::kExitOk;
  }
  if (options->version) {
    std::cout << "tcpstate " << TCPSTATE_VERSION << "\n";
    return tcpstate::kExitOk;
  }
  if (options->live.Active()) {
    return tcpstate::RunLiveCapture(*options);
  }
  return tcpstate::Run(*options);
}
