#include "tools/run_parts.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "absl/time/clock.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/html_report.h"
#include "reports/mermaid_report.h"
#include "reports/text_report.h"

namespace tcpstate {
namespace {

}  // namespace

int Fail(absl::string_view message) {
  std::cerr << "tcpstate: " << TerminalSafe(message) << "\n";
  return kExitUsageOrInput;
}

// Reads every frame into the analyzer. Returns the error that stopped the
// input early, or an empty string at the clean end.
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

// Colours on a terminal, unless NO_COLOR is set (https://no-color.org).
bool Colours(const CliOptions& options) {
  const char* no_color = getenv("NO_COLOR");
  return OutputIsTerminal(options) &&
         (no_color == nullptr || no_color[0] == '\0');
}

TextOptions TextOptionsOf(const CliOptions& options) {
  TextOptions t;
  t.color = Colours(options);
  t.summary_only = options.summary_only;
  if (options.rows_given) {  // asked for: no line budget
    t.max_rows = options.rows;
    t.max_table_lines = kAllRows;
  }
  return t;
}

FileSourceOptions FileSourceOptionsOf(const CliOptions& options) {
  FileSourceOptions f;
  f.paths = options.inputs;
  f.bpf_filter = options.filter;
  f.max_frames = options.live.count.value_or(0);  // -c, files too
  return f;
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
void AddLadders(const CliOptions& options, AnalyzerOptions a,
                size_t threads, AnalysisResult& result) {
  const std::vector<bool> drawn = DrawnConnections(options, result);
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
      PcapFileSource::Open(FileSourceOptionsOf(options));
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
      out << RenderText(result, TextOptionsOf(options));
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


int ReportOffline(const CliOptions& options, const CiInputs& ci,
                  const AnalysisResult& result, StreamingSink& sink,
                  std::ostream& out) {
  const bool streamed = StreamsRows(options.format);
  if (streamed) {
    sink.WriteHeader();
    sink.Flush();
  }
  return Report(options, ci, result, sink.tally(), streamed, sink.spill(),
                out);
}

}  // namespace tcpstate
