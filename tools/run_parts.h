#pragma once

// The pieces of an offline run shared by `tcpstate -r`, `tcpstate --shard`
// and `tcpstate merge` (and the report code of live capture): the sink
// that writes rows as connections finish, the analysis engine, the
// options the analyzer takes, the report and its CI checks.

#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "analyzer/capture/pcap_file_source.h"
#include "analyzer/parallel_analyzer.h"
#include "reports/csv_report.h"
#include "reports/json_report.h"
#include "reports/zeek_report.h"
#include "tools/ci_steps.h"
#include "tools/cli.h"
#include "tools/progress.h"
#include "tools/record_spill.h"

namespace tcpstate {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsageOrInput = 2;

// The formats whose rows are written as connections finish (offline).
inline bool StreamsRows(ReportFormat f) {
  return f == ReportFormat::kJsonl || f == ReportFormat::kCsv ||
         f == ReportFormat::kZeek;
}

// The formats that need no records kept until the end (offline): rows
// written as connections finish, or (json) rendered then and spilled.
inline bool RecordsLeaveAsTheyFinish(ReportFormat f) {
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

// "tcpstate: MESSAGE" on standard error; returns exit code 2.
int Fail(absl::string_view message);
// Reads every frame into `analyzer` (an Engine, a ShardRun: anything with
// OnFrame). Returns the error that stopped the input early, or an empty
// string at the clean end.
template <typename FrameSink>
std::string Feed(PcapFileSource& source, FrameSink& analyzer,
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
AnalyzerOptions AnalyzerOptionsOf(const CliOptions& options);
// The inputs, the filter and -c of the command line, as the file source
// takes them.
FileSourceOptions FileSourceOptionsOf(const CliOptions& options);
// How many threads analyse a file.
size_t ThreadsOf(const CliOptions& options, const AnalyzerOptions& a);
// Whether html and mermaid ladders come from a second read of the inputs.
bool LaddersFromSecondRead(const CliOptions& options);
// The second read: the ladders of the connections drawn, into `result`;
// `a`: the analysis options of the first read (ladders off).
void AddLadders(const CliOptions& options, AnalyzerOptions a,
                size_t threads, AnalysisResult& result);
// An offline run's report (a file read, or a merge) whose records went to
// `sink` as they finished: what follows the streamed rows, or the whole
// document; then the CI checks. Returns the exit code.
int ReportOffline(const CliOptions& options, const CiInputs& ci,
                  const AnalysisResult& result, StreamingSink& sink,
                  std::ostream& out);

// The final report of `result` (offline and live alike), then the CI
// checks; returns the exit code.
int Report(const CliOptions& options, const CiInputs& ci,
           const AnalysisResult& result, const ConnectionTally& tally,
           bool rows_streamed, RecordSpill* spill, std::ostream& out);

}  // namespace tcpstate
