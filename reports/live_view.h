#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/live.h"

namespace tcpstate {

// Everything the live view (tcpstate -i on a terminal) shows at one moment.
struct LiveViewModel {
  std::string interface;
  std::string filter;  // empty = everything
  absl::Time now;
  absl::Duration running;          // since the capture started
  uint64_t packets = 0;            // frames read
  double packets_per_second = 0;   // over the last refresh
  uint64_t dropped = 0;            // by the kernel + the interface
  LiveSnapshot table;
  std::vector<AnomalyEvent> recent;  // newest first
  bool color = false;  // ANSI colours (a terminal without NO_COLOR)
};

// The live view, like tcptrack and htop: a header (interface, rates,
// drops, the keys), the open connections counted by (client state, server
// state) on one line, the endpoints in a handshake, closing or stuck state
// (stuck first, then oldest, with their ages), the established connections
// with their bytes and rates each way (by the snapshot's sort), and the
// most recent anomalies. A list longer than the pane ends in "... N more".
// At most `height` lines of at most `width` columns, each ending in '\n';
// colours (SGR codes, not counted in the width) only when `model.color`;
// no cursor movement (the caller positions the cursor). Strings from
// packets or the command line are made terminal-safe. Pure function of
// its arguments.
std::string RenderLiveView(const LiveViewModel& model, size_t width,
                           size_t height);

// "950B", "12.3kB", "1.5GB" (powers of 1000); a rate adds "/s".
std::string HumanBytes(double bytes);
std::string HumanRate(double bytes_per_second);

// "4.2s", "3m05s", "2h03m", "5d02h": an age in at most 6 columns.
std::string FormatAge(absl::Duration age);

}  // namespace tcpstate
