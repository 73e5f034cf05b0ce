#include "tools/cli_live.h"

#include <algorithm>
#include <limits>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "tools/cli.h"

// Registered with Abseil like every other option; tools/cli.cc walks the
// argument list and sets them (kValueOptions lists their short names).
ABSL_FLAG(std::string, interface, "",
          "Capture live on interface IFACE ('any' for all) instead of "
          "reading files; see README 'Live capture'. Needs root or "
          "CAP_NET_RAW.");
ABSL_FLAG(uint32_t, snaplen, 262144,
          "Live: bytes kept of each packet (0 = 262144). TCP states need "
          "only the headers: 128 is enough unless -w should keep payloads.");
ABSL_FLAG(uint64_t, count, 0,
          "Stop after N packets (those the filter keeps, as tcpdump -c "
          "counts them), reading files or live (0 = no limit).");
ABSL_FLAG(uint32_t, buffer_size, 0,
          "Live: the kernel capture buffer in KiB, like tcpdump -B "
          "(0 = libpcap's default, 2 MiB).");
ABSL_FLAG(std::string, duration, "",
          "Live: stop after DURATION (e.g. 30s, 10m, 24h).");
ABSL_FLAG(std::string, write, "",
          "Live: also save every captured packet to FILE (pcap), like "
          "tcpdump -w.");
ABSL_FLAG(std::string, user, "",
          "Live: after opening the interface (and -w/-o files), switch to "
          "USER (groups, gid, uid) and drop every capability, like "
          "tcpdump -Z.");

namespace tcpstate {

bool IsLiveSwitch(absl::string_view name) {
  return name == "p" || name == "no_promiscuous_mode" || name == "events" ||
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
    if (s == "p" || s == "no_promiscuous_mode") {
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

std::string LiveSwitchUsage() {
  return "  -p, --no-promiscuous-mode\n"
         "      Live: do not put the interface into promiscuous mode.\n"
         "  --no-immediate-mode\n"
         "      Live: let the kernel batch packets (less CPU; events may\n"
         "      come up to 0.1 s late). Immediate mode is on by default.\n"
         "  --events\n"
         "      Live, JSONL output: also a {\"type\":\"state\"} line for\n"
         "      every endpoint state change.\n";
}

}  // namespace tcpstate
