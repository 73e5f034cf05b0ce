// tcpstate: the composition root. Wires the pcap file source, the analyzer
// and the report renderers together; the only code that writes to the
// terminal.

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "analyzer/analysis_result.h"
#include "reports/escape.h"
#include "tools/anomaly_table.h"
#include "tools/cli.h"
#include "tools/live.h"
#include "tools/report_output.h"
#include "tools/run_parts.h"
#include "tools/shard_runs.h"
#include "tools/version.h"


namespace tcpstate {
namespace {

int Run(const CliOptions& options) {
  // Expectations and baseline first: a bad file fails before any work.
  absl::StatusOr<CiInputs> ci = LoadCiInputs(options.ci);
  if (!ci.ok()) {
    return Fail(ci.status().message());
  }
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open(FileSourceOptionsOf(options));
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
  result.tcpstate_version = TcpstateVersion();
  result.inputs = src.inputs();
  result.error = error;
  result.summary.timestamps_backwards = src.timestamps_backwards();
  if (second_read) {
    AddLadders(options, analyzer_options, threads, result);
  }
  return ReportOffline(options, *ci, result, sink, out);
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
    std::cout << "tcpstate " << tcpstate::TcpstateVersion() << "\n";
    return tcpstate::kExitOk;
  }
  if (options->live.Active()) {
    return tcpstate::RunLiveCapture(*options);
  }
  if (options->merge) {
    return tcpstate::RunMerge(*options, tcpstate::TcpstateVersion());
  }
  if (options->shards != 0) {
    return tcpstate::RunShard(*options, tcpstate::TcpstateVersion());
  }
  return tcpstate::Run(*options);
}
