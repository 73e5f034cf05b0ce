#pragma once

// The pieces of tcpstate -i shared by the single-threaded loop
// (tools/live.cc) and the one on a fanout group (tools/live_sharded.cc).

#include <termios.h>

#include <csignal>
#include <deque>
#include <fstream>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/analyzer.h"
#include "analyzer/capture/live_source.h"
#include "analyzer/live.h"
#include "reports/format.h"
#include "reports/live_view.h"
#include "tools/cli.h"

namespace tcpstate {
namespace live_parts {

inline constexpr int kExitUsageOrInput = 2;
inline constexpr int kPollMillis = 200;
inline constexpr absl::Duration kViewRefresh = absl::Seconds(1);
// Live sweeps: stuck-state rules and TIME_WAIT expiry run this often.
inline constexpr absl::Duration kLiveSweep = absl::Milliseconds(250);
inline constexpr size_t kMaxBatch = 4096;  // packets between two looks
inline constexpr size_t kRecentAnomalies = 5;

// The signal that stopped the capture (0: none yet).
extern volatile sig_atomic_t g_signal;

// SIGINT and SIGTERM wake the loop through a pipe (the self-pipe trick).
// SA_RESETHAND: a second signal kills at once.
class SignalPipe {
 public:
  bool Install();
  int fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
};

int Fail(absl::string_view message);

// Streams events and finished connections as JSON lines (when `stream` is
// set) and keeps the recent anomalies for the view. Safe from several
// threads.
class LiveSink : public ConnectionSink {
 public:
  LiveSink(std::ostream* stream, bool events)
      : stream_(stream), events_(events) {}

  void OnConnectionFinished(const ConnectionRecord& record) override;
  void OnStateChange(const StateChangeEvent& event) override;
  void OnAnomaly(const AnomalyEvent& event) override;
  void Flush();
  ConnectionTally tally() const;
  std::vector<AnomalyEvent> recent() const;

 private:
  mutable std::mutex mu_;
  std::ostream* stream_;
  bool events_;
  ConnectionTally tally_;
  std::deque<AnomalyEvent> recent_;  // newest first
};

// The live view on the terminal: the alternate screen, redrawn in place,
// in colour unless NO_COLOR is set; keys read one at a time when standard
// input is a terminal: q quits, s changes the established list's order
// (rate, bytes, age).
class Terminal {
 public:
  enum class Key { kNone, kQuit, kSort };
  void Enter();
  void Leave();
  void Draw(LiveViewModel& model);  // sets model.color
  // Standard input when it is a terminal (poll it), else -1.
  int key_fd() const { return raw_ ? 0 : -1; }
  // The keys typed since the last call: quit wins, then sort.
  Key ReadKeys();
  LiveSort sort() const { return sort_; }
  void NextSort();

 private:
  bool raw_ = false;
  termios saved_ = {};
  LiveSort sort_ = LiveSort::kRate;
};

// Opens where the report goes (-o, into `file`, or standard output), then
// drops privileges (-Z): once the capture sockets are open, before any
// thread starts (capabilities are per thread; threads started later
// inherit the dropped ones).
absl::StatusOr<std::ostream*> OpenOutputThenDrop(const CliOptions& options,
                                                 std::ofstream& file);

// The analyzer options of a live run: `base` with the wall-clock sweeps;
// finished connections kept only when the report or a CI check needs them
// (jsonl streams them).
AnalyzerOptions LiveAnalyzerOptions(const CliOptions& options,
                                    const AnalyzerOptions& base);

// The options the live run goes by: without --format, text when the report
// goes to a terminal, else jsonl (events as they happen).
CliOptions LiveDefaults(const CliOptions& options);
LiveSourceOptions SourceOptions(const CliOptions& o);

}  // namespace live_parts
}  // namespace tcpstate
