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
#include "reports/escape.h"
#include "reports/json_report.h"
#include "reports/live_events.h"
#include "reports/live_view.h"
#include "tools/privileges.h"
#include "tools/report_output.h"

namespace tcpstate {
namespace {

constexpr int kExitUsageOrInput = 2;
constexpr int kPollMillis = 200;
constexpr absl::Duration kViewRefresh = absl::Seconds(1);
// Live sweeps: stuck-state rules and TIME_WAIT expiry run this often.
constexpr absl::Duration kLiveSweep = absl::Milliseconds(250);
constexpr size_t kMaxBatch = 4096;  // packets between two looks at signals
constexpr size_t kRecentAnomalies = 5;

volatile sig_atomic_t g_signal = 0;
int g_signal_fd = -1;

void OnSignal(int sig) {
  g_signal = sig;
  if (g_signal_fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = write(g_signal_fd, &byte, 1);
  }
}

// SIGINT and SIGTERM wake the loop through a pipe (the self-pipe trick).
// SA_RESETHAND: a second signal kills at once.
class SignalPipe {
 public:
  bool Install() {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
      return false;
    }
    read_fd_ = fds[0];
    g_signal_fd = fds[1];
    struct sigaction sa = {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    return sigaction(SIGINT, &sa, nullptr) == 0 &&
           sigaction(SIGTERM, &sa, nullptr) == 0;
  }
  int fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
};

int Fail(absl::string_view message) {
  std::cerr << "tcpstate: " << TerminalSafe(message) << "\n";
  return kExitUsageOrInput;
}

// Streams events and finished connections as JSON lines (when `stream` is
// set) and keeps the recent anomalies for the view.
class LiveSink : public ConnectionSink {
 public:
  LiveSink(std::ostream* stream, bool events)
      : stream_(stream), events_(events) {}

  void OnConnectionFinished(const ConnectionRecord& record) override {
    if (stream_ != nullptr) {
      *stream_ << RenderJsonlConnection(record);
      tally_.Add(record);
    }
  }
  void OnStateChange(const StateChangeEvent& event) override {
    if (stream_ != nullptr && events_) {
      *stream_ << RenderJsonlStateEvent(event);
    }
  }
  void OnAnomaly(const AnomalyEvent& event) override {
    if (stream_ != nullptr) {
      *stream_ << RenderJsonlAnomalyEvent(event);
    }
    recent_.push_front(event);
    if (recent_.size() > kRecentAnomalies) {
      recent_.pop_back();
    }
  }
  void Flush() {
    if (stream_ != nullptr) {
      stream_->flush();
    }
  }
  const ConnectionTally& tally() const { return tally_; }
  std::vector<AnomalyEvent> recent() const {
    return {recent_.begin(), recent_.end()};
  }

 private:
  std::ostream* stream_;
  bool events_;
  ConnectionTally tally_;
  std::deque<AnomalyEvent> recent_;  // newest first
};

// The live view on the terminal: the alternate screen, redrawn in place.
class Terminal {
 public:
  void Enter() { Write("\x1b[?1049h\x1b[?25l"); }
  void Leave() { Write("\x1b[?25h\x1b[?1049l"); }
  void Draw(const LiveViewModel& model) {
    winsize ws = {};
    size_t width = 80, height = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
      width = ws.ws_col;
      height = ws.ws_row;
    }
    std::string view = RenderLiveView(model, width, height);
    if (!view.empty() && view.back() == '\n') {
      view.pop_back();  // a newline on the last row would scroll
    }
    std::string out = "\x1b[H";
    for (absl::string_view line : absl::StrSplit(view, '\n')) {
      absl::StrAppend(&out, line, "\x1b[K\r\n");
    }
    out.resize(out.size() - 2);
    Write(out + "\x1b[J");
  }

 private:
  static void Write(const std::string& text) {
    std::cout << text;
    std::cout.flush();
  }
};

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
  m.table = run.analyzer.Snapshot(/*max_lingering=*/200);
  m.recent = run.sink.recent();
  run.terminal->Draw(m);
  run.last_draw = now;
  run.last_draw_packets = run.packets;
}

void Loop(LiveRun& run, const SignalPipe& signals) {
  pollfd fds[2] = {{run.source.selectable_fd(), POLLIN, 0},
                   {signals.fd(), POLLIN, 0}};
  absl::Time next_draw = run.started;
  while (run.stop_reason.empty()) {
    poll(fds, 2, kPollMillis);
    if (g_signal != 0) {
      run.stop_reason = "signal";
      break;
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
  if (run.stop_reason == "signal" || run.stop_reason == "duration") {
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

// The options the live run goes by: without --format, text when the report
// goes to a terminal, else jsonl (events as they happen).
CliOptions LiveDefaults(const CliOptions& options) {
  CliOptions o = options;
  if (!o.format_given) {
    const bool to_terminal =
        o.output.empty() && isatty(STDOUT_FILENO) == 1;
    o.format = to_terminal ? ReportFormat::kText : ReportFormat::kJsonl;
  }
  return o;
}

LiveSourceOptions SourceOptions(const CliOptions& o) {
  LiveSourceOptions s;
  s.interface = o.live.interface;
  s.bpf_filter = o.filter;
  s.snaplen = o.live.snaplen;
  s.promiscuous = o.live.promiscuous;
  s.immediate = o.live.immediate;
  s.buffer_kib = o.live.buffer_kib;
  s.save_file = o.live.write_file;
  return s;
}

}  // namespace

int RunLive(const CliOptions& given, const LiveHooks& hooks) {
  const CliOptions options = LiveDefaults(given);
  absl::StatusOr<std::unique_ptr<LiveSource>> source =
      LiveSource::Open(SourceOptions(options));
  if (!source.ok()) {
    return Fail(source.status().message());
  }
  std::ofstream file;
  const absl::StatusOr<std::ostream*> opened =
      OpenReportOutput(options.output, file);
  if (!opened.ok()) {
    return Fail(opened.status().message());
  }
  std::ostream& out = **opened;
  if (!options.live.user.empty()) {
    const absl::Status dropped = DropPrivileges(options.live.user);
    if (!dropped.ok()) {
      return Fail(dropped.message());
    }
  }
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
  AnalyzerOptions analyzer_options = hooks.analyzer;
  analyzer_options.live = true;
  analyzer_options.sweep_interval = kLiveSweep;
  analyzer_options.retain_connections = !jsonl || options.ci.Active();
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
  (*source)->Flush();
  result.inputs = {(*source)->info()};
  result.error = run.error;
  result.live = CaptureInfo(run, stopped);
  return hooks.report(options, result, sink.tally(), out);
}

}  // namespace tcpstate
