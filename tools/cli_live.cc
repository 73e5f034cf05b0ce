#include "tools/cli_live.h"

#include <algorithm>
#include <limits>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "tools/cli.h"

// Registered with Abseil like every other option; tools/cli.cc walks the
// argument list and sets them (tools/cli_options.cc lists them).
ABSL_FLAG(std::string, interface, "", "");
ABSL_FLAG(uint32_t, snaplen, 262144, "");
ABSL_FLAG(uint64_t, count, 0, "");
ABSL_FLAG(uint32_t, buffer_size, 0, "");
ABSL_FLAG(std::string, duration, "", "");
ABSL_FLAG(std::string, write, "", "");
ABSL_FLAG(std::string, user, "", "");

namespace tcpstate {

bool IsLiveSwitch(absl::string_view name) {
  return name == "no_promiscuous_mode" || name == "events" ||
         name == "no_immediate_mode";
}

absl::Status ReadLiveOptions(const std::vector<std::string>& switches,
                             LiveCliOptions* out) {
  out->interface = absl::GetFlag(FLAGS_interface);
  const uint32_t snaplen = absl::GetFlag(FLAGS_snaplen);
  out->snaplen = snaplen == 0 ? 262144 : static_cast<int>(std::min<uint32_t>(
                                             snaplen, 262144));
  const uint64_t count = absl::GetFlag(FLAGS_count);
  if (count > 0) {
    out->count = count;
  }
  const uint32_t kib = absl::GetFlag(FLAGS_buffer_size);
  if (kib > static_cast<uint32_t>(std::numeric_limits<int>::max() / 1024)) {
    return absl::InvalidArgumentError("--buffer-size: too large");
  }
  out->buffer_kib = static_cast<int>(kib);
  const std::string duration = absl::GetFlag(FLAGS_duration);
  if (!duration.empty()) {
    absl::StatusOr<absl::Duration> d = ParseDurationArg(duration);
    if (!d.ok() || *d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--duration: bad duration '", duration, "' (use e.g. 30s, 10m)"));
    }
    out->duration = *d;
  }
  out->write_file = absl::GetFlag(FLAGS_write);
  out->user = absl::GetFlag(FLAGS_user);
  for (const std::string& s : switches) {
    if (s == "no_promiscuous_mode") {
      out->promiscuous = false;
    } else if (s == "events") {
      out->events = true;
    } else if (s == "no_immediate_mode") {
      out->immediate = false;
    }
  }
  const bool live_only = kib > 0 || !duration.empty() ||
                         !out->write_file.empty() || !out->user.empty() ||
                         !switches.empty();
  if (!out->Active() && live_only) {
    return absl::InvalidArgumentError(
        "-p, -w, -Z, --buffer-size, --duration, --events and "
        "--no-immediate-mode need live capture (-i IFACE)");
  }
  return absl::OkStatus();
}

}  // namespace tcpstate
