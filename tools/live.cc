// tcpstate -i: the live capture loop. Wires the live source, the analyzer
// (wall-clock timers), the JSONL event stream and the live view; signals,
// privilege drop and the terminal's escape codes are handled here.
#include "tools/live.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "analyzer/capture/live_source.h"
#include "analyzer/parallel_analyzer.h"
#include "reports/escape.h"
#include "reports/json_report.h"
#include "reports/live_events.h"
#include "reports/live_view.h"
#include "tools/live_parts.h"
#include "tools/live_sharded.h"
#include "tools/version.h"

namespace tcpstate {
namespace {

using live_parts::Fail;
using live_parts::g_signal;
using live_parts::kMaxBatch;
using live_parts::kPollMillis;
using live_parts::kViewRefresh;
using live_parts::LiveDefaults;
using live_parts::LiveSink;
using live_parts::SignalPipe;
using live_parts::SourceOptions;
using live_parts::Terminal;

struct LiveRun {
  LiveRun(const CliOptions& o, LiveSource& src, Analyzer& a, LiveSink& k,
          Terminal* t)
      : options(o),
        source(src),
        analyzer(a),
        sink(k),
        terminal(t),
        started(absl::Now()),
        last_draw(started) {}

  const CliOptions& options;
  LiveSource& source;
  Analyzer& analyzer;
  LiveSink& sink;
  Terminal* terminal;  // null: no view
  absl::Time started;
  uint64_t packets = 0;
  std::string stop_reason;
  std::string error;
  absl::Time last_draw;
  uint64_t last_draw_packets = 0;
};

// Reads what is waiting, at most kMaxBatch packets.
void ReadBatch(LiveRun& run) {
  for (size_t i = 0; i < kMaxBatch; ++i) {
    absl::StatusOr<std::optional<Frame>> next = run.source.Next();
    if (!next.ok()) {
      run.error = std::string(next.status().message());
      run.stop_reason = "error";
      return;
    }
    if (!next->has_value()) {
      return;
    }
    run.analyzer.OnFrame(**next);
    ++run.packets;
    if (run.options.live.count && run.packets >= *run.options.live.count) {
      run.stop_reason = "count";
      return;
    }
  }
}

uint64_t Dropped(const LiveSource& source) {
  absl::StatusOr<LiveStats> s = source.Stats();
  return s.ok() ? s->dropped_by_kernel + s->dropped_by_interface : 0;
}

void Draw(LiveRun& run, absl::Time now) {
  LiveViewModel m;
  m.interface = run.options.live.interface;
  m.filter = run.options.filter;
  m.now = now;
  m.running = now - run.started;
  m.packets = run.packets;
  const double secs = absl::ToDoubleSeconds(now - run.last_draw);
  m.packets_per_second =
      secs > 0 ? static_cast<double>(run.packets - run.last_draw_packets) / secs
               : 0;
  m.dropped = Dropped(run.source);
  m.table = run.analyzer.Snapshot(/*max_rows=*/200, run.terminal->sort());
  m.recent = run.sink.recent();
  run.terminal->Draw(m);
  run.last_draw = now;
  run.last_draw_packets = run.packets;
}

void Loop(LiveRun& run, const SignalPipe& signals) {
  const int keys = run.terminal != nullptr ? run.terminal->key_fd() : -1;
  pollfd fds[3] = {{run.source.selectable_fd(), POLLIN, 0},
                   {signals.fd(), POLLIN, 0},
                   {keys, POLLIN, 0}};  // poll skips a negative fd
  absl::Time next_draw = run.started;
  while (run.stop_reason.empty()) {
    poll(fds, 3, kPollMillis);
    if (g_signal != 0) {
      run.stop_reason = "signal";
      break;
    }
    const Terminal::Key key = run.terminal != nullptr
                                  ? run.terminal->ReadKeys()
                                  : Terminal::Key::kNone;
    if (key == Terminal::Key::kQuit) {
      run.stop_reason = "quit";
      break;
    }
    if (key == Terminal::Key::kSort) {
      run.terminal->NextSort();
      next_draw = absl::InfinitePast();  // redraw now
    }
    ReadBatch(run);
    const absl::Time now = absl::Now();
    run.analyzer.AdvanceTime(now);
    run.sink.Flush();
    const std::optional<absl::Duration>& limit = run.options.live.duration;
    if (run.stop_reason.empty() && limit && now - run.started >= *limit) {
      run.stop_reason = "duration";
    }
    if (run.terminal != nullptr && now >= next_draw) {
      Draw(run, now);
      next_draw = now + kViewRefresh;
    }
  }
  // What the kernel already holds belongs to the capture too.
  if (run.stop_reason == "signal" || run.stop_reason == "duration" ||
      run.stop_reason == "quit") {
    const std::string reason = run.stop_reason;
    ReadBatch(run);
    run.stop_reason = run.stop_reason == "error" ? "error" : reason;
  }
}

LiveCaptureInfo CaptureInfo(const LiveRun& run, absl::Time stopped) {
  LiveCaptureInfo info;
  info.interface = run.options.live.interface;
  info.started = run.started;
  info.stopped = stopped;
  info.stop_reason = run.stop_reason;
  absl::StatusOr<LiveStats> stats = run.source.Stats();
  if (stats.ok()) {
    info.received = stats->received;
    info.dropped_by_kernel = stats->dropped_by_kernel;
    info.dropped_by_interface = stats->dropped_by_interface;
  }
  return info;
}

}  // namespace

int RunLive(const CliOptions& given, const LiveHooks& hooks) {
  const CliOptions options = LiveDefaults(given);
  // Several sockets on a fanout group, unless ladders are recorded (html,
  // mermaid: chosen as connections are created, by one table).
  const size_t threads =
      options.threads == 0 ? DefaultThreads() : options.threads;
  if (threads > 1 && options.format != ReportFormat::kHtml &&
      options.format != ReportFormat::kMermaid) {
    return RunLiveSharded(options, hooks, threads);
  }
  absl::StatusOr<std::unique_ptr<LiveSource>> source =
      LiveSource::Open(SourceOptions(options));
  if (!source.ok()) {
    return Fail(source.status().message());
  }
  std::ofstream file;
  const absl::StatusOr<std::ostream*> opened =
      live_parts::OpenOutputThenDrop(options, file);
  if (!opened.ok()) {
    return Fail(opened.status().message());
  }
  std::ostream& out = **opened;
  SignalPipe signals;
  if (!signals.Install()) {
    return Fail("cannot install the signal handlers");
  }
  // As tcpdump says it: the capture runs (tests wait for this line).
  std::cerr << "tcpstate: listening on " << TerminalSafe(options.live.interface)
            << ", link-type " << (*source)->info().link_type
            << ", snapshot length " << options.live.snaplen << " bytes"
            << std::endl;
  const bool jsonl = options.format == ReportFormat::kJsonl;
  const bool stream_to_stdout = jsonl && options.output.empty();
  Terminal terminal;
  const bool view = isatty(STDOUT_FILENO) == 1 && !stream_to_stdout;
  LiveSink sink(jsonl ? &out : nullptr, options.live.events);
  const AnalyzerOptions analyzer_options =
      live_parts::LiveAnalyzerOptions(options, hooks.analyzer);
  Analyzer analyzer(analyzer_options, &sink);
  LiveRun run(options, **source, analyzer, sink, view ? &terminal : nullptr);
  if (view) {
    terminal.Enter();
  }
  Loop(run, signals);
  if (view) {
    terminal.Leave();
  }
  const absl::Time stopped = absl::Now();
  analyzer.AdvanceTime(stopped);
  AnalysisResult result = analyzer.Finish();
  result.tcpstate_version = TcpstateVersion();
  (*source)->Flush();
  result.inputs = {(*source)->info()};
  result.error = run.error;
  result.live = CaptureInfo(run, stopped);
  return hooks.report(options, result, sink.tally(), out);
}

}  // namespace tcpstate
