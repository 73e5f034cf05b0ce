#pragma once

#include <cstddef>

#include "tools/cli.h"
#include "tools/live.h"

namespace tcpstate {

// tcpstate -i IFACE --threads N (N > 1): N capture sockets joined in one
// PACKET_FANOUT group, a worker thread each (analyzer/live_shards.h); the
// main thread waits for signals, the duration, and draws the live view.
// `options` are the live defaults already applied.
int RunLiveSharded(const CliOptions& options, const LiveHooks& hooks,
                   size_t threads);

}  // namespace tcpstate
