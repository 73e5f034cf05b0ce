#include "tools/live_parts.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "reports/escape.h"
#include "reports/json_report.h"
#include "reports/live_events.h"
#include "tools/privileges.h"
#include "tools/report_output.h"

namespace tcpstate {
namespace live_parts {
namespace {

int g_signal_fd = -1;

void OnSignal(int sig) {
  g_signal = sig;
  if (g_signal_fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = write(g_signal_fd, &byte, 1);
  }
}

void WriteOut(const std::string& text) {
  std::cout << text;
  std::cout.flush();
}

}  // namespace

volatile sig_atomic_t g_signal = 0;

bool SignalPipe::Install() {
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

int Fail(absl::string_view message) {
  std::cerr << "tcpstate: " << TerminalSafe(message) << "\n";
  return kExitUsageOrInput;
}

void LiveSink::OnConnectionFinished(const ConnectionRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ != nullptr) {
    *stream_ << RenderJsonlConnection(record);
    tally_.Add(record);
  }
}

void LiveSink::OnStateChange(const StateChangeEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ != nullptr && events_) {
    *stream_ << RenderJsonlStateEvent(event);
  }
}

void LiveSink::OnAnomaly(const AnomalyEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ != nullptr) {
    *stream_ << RenderJsonlAnomalyEvent(event);
  }
  recent_.push_front(event);
  if (recent_.size() > kRecentAnomalies) {
    recent_.pop_back();
  }
}

void LiveSink::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ != nullptr) {
    stream_->flush();
  }
}

ConnectionTally LiveSink::tally() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tally_;
}

std::vector<AnomalyEvent> LiveSink::recent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {recent_.begin(), recent_.end()};
}

void Terminal::Enter() {
  // Keys without Enter and without echo; signals (Ctrl-C) still work.
  if (isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved_) == 0) {
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    raw_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  WriteOut("\x1b[?1049h\x1b[?25l");
}

void Terminal::Leave() {
  if (raw_) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    raw_ = false;
  }
  WriteOut("\x1b[?25h\x1b[?1049l");
}

Terminal::Key Terminal::ReadKeys() {
  Key key = Key::kNone;
  char buf[64];
  ssize_t n = 0;
  while (raw_ && (n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == 'q' || buf[i] == 'Q') {
        key = Key::kQuit;
      } else if ((buf[i] == 's' || buf[i] == 'S') && key == Key::kNone) {
        key = Key::kSort;
      }
    }
  }
  return key;
}

void Terminal::NextSort() {
  switch (sort_) {
    case LiveSort::kRate:
      sort_ = LiveSort::kBytes;
      return;
    case LiveSort::kBytes:
      sort_ = LiveSort::kAge;
      return;
    case LiveSort::kAge:
      sort_ = LiveSort::kRate;
      return;
  }
}

void Terminal::Draw(LiveViewModel& model) {
  // https://no-color.org: any non-empty NO_COLOR turns colours off.
  const char* no_color = getenv("NO_COLOR");
  model.color = no_color == nullptr || no_color[0] == '\0';
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
  WriteOut(out + "\x1b[J");
}

absl::StatusOr<std::ostream*> OpenOutputThenDrop(const CliOptions& options,
                                                 std::ofstream& file) {
  absl::StatusOr<std::ostream*> opened = OpenReportOutput(options.output, file);
  if (!opened.ok() || options.live.user.empty()) {
    return opened;
  }
  const absl::Status dropped = DropPrivileges(options.live.user);
  if (!dropped.ok()) {
    return dropped;
  }
  return opened;
}

AnalyzerOptions LiveAnalyzerOptions(const CliOptions& options,
                                    const AnalyzerOptions& base) {
  AnalyzerOptions a = base;
  a.live = true;
  a.sweep_interval = kLiveSweep;
  a.retain_connections =
      options.format != ReportFormat::kJsonl || options.ci.Active();
  return a;
}

CliOptions LiveDefaults(const CliOptions& options) {
  CliOptions o = options;
  if (!o.format_given) {
    const bool to_terminal = o.output.empty() && isatty(STDOUT_FILENO) == 1;
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

}  // namespace live_parts
}  // namespace tcpstate
