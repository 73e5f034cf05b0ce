#include "tools/progress.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tcpstate {
namespace {

constexpr absl::Duration kFirstAfter = absl::Seconds(1);
constexpr absl::Duration kInterval = absl::Milliseconds(250);
constexpr uint32_t kClockEvery = 256;

std::string Mib(uint64_t bytes) {
  return absl::StrFormat("%.1f", static_cast<double>(bytes) / (1 << 20));
}

// "m:ss", or "h:mm:ss" from an hour on.
std::string Clock(int64_t seconds) {
  if (seconds >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                           seconds % 60);
  }
  return absl::StrFormat("%d:%02d", seconds / 60, seconds % 60);
}

}  // namespace

std::string FormatProgress(const ProgressSample& s) {
  const double secs = absl::ToDoubleSeconds(s.elapsed);
  const uint64_t rate =
      secs > 0 ? static_cast<uint64_t>(static_cast<double>(s.packets) / secs)
               : 0;
  std::string line = "tcpstate: ";
  if (s.bytes_total == 0) {
    absl::StrAppend(&line, Mib(s.bytes_read), " MiB read");
  } else {
    const uint64_t read = std::min(s.bytes_read, s.bytes_total);
    absl::StrAppend(&line, Mib(read), " of ", Mib(s.bytes_total), " MiB (",
                    read * 100 / s.bytes_total, "%)");
  }
  absl::StrAppend(&line, ", ", s.packets, " packets, ", rate, " pkt/s");
  if (s.bytes_total != 0 && s.bytes_read > 0 && secs > 0 &&
      s.bytes_read < s.bytes_total) {
    const double left = static_cast<double>(s.bytes_total - s.bytes_read) *
                        secs / static_cast<double>(s.bytes_read);
    absl::StrAppend(&line, ", ETA ", Clock(static_cast<int64_t>(left + 0.5)));
  }
  return line;
}

bool ProgressWanted(bool stderr_is_terminal, bool quiet) {
  return stderr_is_terminal && !quiet;
}

ProgressMeter::ProgressMeter(std::ostream* out, Clock clock)
    : out_(out), clock_(std::move(clock)) {
  if (out_ != nullptr) {
    start_ = clock_();
  }
}

void ProgressMeter::Update(uint64_t bytes_read, uint64_t bytes_total,
                           uint64_t packets) {
  if (out_ == nullptr || ++calls_ % kClockEvery != 0) {
    return;
  }
  const absl::Time now = clock_();
  if (now - start_ < kFirstAfter || now - last_shown_ < kInterval) {
    return;
  }
  last_shown_ = now;
  const std::string line =
      FormatProgress({bytes_read, bytes_total, packets, now - start_});
  // Blanks over what is left of a longer previous line.
  const size_t pad = shown_width_ > line.size() ? shown_width_ - line.size() : 0;
  *out_ << '\r' << line << std::string(pad, ' ') << std::flush;
  shown_width_ = line.size();
}

void ProgressMeter::Finish() {
  if (out_ != nullptr && shown_width_ > 0) {
    *out_ << '\r' << std::string(shown_width_, ' ') << '\r' << std::flush;
    shown_width_ = 0;
  }
}

}  // namespace tcpstate
