#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tcpstate {

// The live-capture options of the command line (-i and tcpdump's habits),
// validated. README "Live capture" documents them.
struct LiveCliOptions {
  std::string interface;  // -i; empty = not live
  int snaplen = 262144;   // -s; 0 on the command line means this
  std::optional<uint64_t> count;        // -c: stop after N packets
  std::optional<absl::Duration> duration;  // --duration: stop after
  bool promiscuous = true;              // -p turns it off
  bool immediate = true;                // --no-immediate-mode turns it off
  int buffer_kib = 0;                   // -B / --buffer-size; 0 = default
  std::string write_file;               // -w
  std::string user;                     // -Z
  bool events = false;                  // --events: state-change lines
  bool Active() const { return !interface.empty(); }
};

// The switches (options without a value) of live capture, by canonical
// name: "no_promiscuous_mode" (-p), "events", "no_immediate_mode".
bool IsLiveSwitch(absl::string_view name);

// Fills `out` from the live flags and the live switches given.
absl::Status ReadLiveOptions(const std::vector<std::string>& switches,
                             LiveCliOptions* out);

}  // namespace tcpstate
