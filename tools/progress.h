#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace tcpstate {

// The progress line of a long offline run, on standard error. This is user
// interface, not analysis: it is the one place that reads the wall clock.

struct ProgressSample {
  uint64_t bytes_read = 0;
  uint64_t bytes_total = 0;  // 0 when unknown (standard input)
  uint64_t packets = 0;
  absl::Duration elapsed;  // wall clock since the start
};

// One line without control characters, e.g.
// "tcpstate: 45.2 of 100.0 MiB (45%), 120000 packets, 52000 pkt/s, ETA 0:12"
// Without a total: "tcpstate: 45.2 MiB read, 120000 packets, 52000 pkt/s".
std::string FormatProgress(const ProgressSample& s);

// Whether to show progress at all: only on a terminal, never with --quiet.
bool ProgressWanted(bool stderr_is_terminal, bool quiet);

// Rewrites one line on `out` with '\r', at most every 250 ms, and only once
// the run has lasted a second (short runs show nothing); Finish() clears
// the line if one was shown.
class ProgressMeter {
 public:
  using Clock = std::function<absl::Time()>;
  // `out` null: a meter that does nothing.
  ProgressMeter(std::ostream* out, Clock clock);

  // Cheap to call per packet: the clock is read every 256 calls.
  void Update(uint64_t bytes_read, uint64_t bytes_total, uint64_t packets);
  void Finish();

 private:
  std::ostream* out_;
  Clock clock_;
  absl::Time start_;
  absl::Time last_shown_ = absl::InfinitePast();
  uint32_t calls_ = 0;
  size_t shown_width_ = 0;  // length of the line on screen; 0 = none
};

}  // namespace tcpstate
