#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/anomaly.h"
#include "analyzer/tcp_state.h"
#include "dissectors/ip_address.h"

namespace tcpstate {

// Live mode (tcpstate -i): what the analyzer reports about connections that
// are still open. Plain values; reports render them.

// An open connection as the live events name it.
struct ConnectionRef {
  uint64_t id = 0;
  IpAddress client_addr;
  uint16_t client_port = 0;
  IpAddress server_addr;
  uint16_t server_port = 0;
  TcpState client_state = TcpState::kUnknown;
  TcpState server_state = TcpState::kUnknown;
};

// One endpoint of an open connection changed state.
struct StateChangeEvent {
  ConnectionRef connection;  // states after the change
  absl::Time t;
  uint64_t packet = 0;  // the packet that caused it; 0 for a timer
  bool client = true;   // which endpoint changed
  TcpState from = TcpState::kUnknown;
  TcpState to = TcpState::kUnknown;
};

// An anomaly announced as it fires: a stuck-state threshold crossed on an
// open connection (wall clock), the first occurrence of a data-transfer
// kind, or, when a record is written, each of its anomalies not announced
// before. Each (connection, kind, endpoint) is announced once.
struct AnomalyEvent {
  ConnectionRef connection;
  absl::Time t;  // when it fired (capture or wall-clock time)
  Anomaly anomaly;
};

// How the live view orders its established connections (the largest
// first): by the rate over the last refresh, by bytes so far, or by age.
enum class LiveSort { kRate, kBytes, kAge };

// The open connections at one moment, for the live view.
struct LiveSnapshot {
  struct PairCount {
    TcpState client = TcpState::kUnknown;
    TcpState server = TcpState::kUnknown;
    uint64_t count = 0;
  };
  // An open connection with an endpoint in a closing, half-open or stuck
  // state; `age` is how long that endpoint has been in it.
  struct Lingering {
    ConnectionRef connection;
    bool client = true;  // the endpoint the row is about
    absl::Duration age;
    bool stuck = false;  // a stuck-state anomaly fired on it
  };
  // An open connection with an endpoint ESTABLISHED and neither in a
  // handshake or closing state: its payload bytes each way (by sequence
  // space) and their rates in bytes per second since the previous
  // snapshot (or since it was first seen).
  struct Active {
    ConnectionRef connection;
    uint64_t bytes_c2s = 0;
    uint64_t bytes_s2c = 0;
    double rate_c2s = 0;
    double rate_s2c = 0;
    absl::Duration age;  // since its first packet
  };
  absl::Time now;
  uint64_t open = 0;                  // connections in the table
  uint64_t created = 0;               // connections seen since the start
  std::vector<PairCount> pairs;       // by count desc, then states
  std::vector<Lingering> lingering;   // stuck first, then oldest; capped
  uint64_t lingering_total = 0;       // before the cap
  LiveSort sort = LiveSort::kRate;    // the order of `active`
  std::vector<Active> active;         // by `sort`, largest first; capped
  uint64_t active_total = 0;          // before the cap
};

// Fills `snap.pairs` from `pairs` (by count, largest first, then states),
// keeps the `max_rows` first of `snap.lingering` (stuck first, then
// oldest, then by id) and of `snap.active` (by `snap.sort`, largest first,
// then by id); the totals are left as they are.
void OrderSnapshot(
    const std::map<std::pair<TcpState, TcpState>, uint64_t>& pairs,
    size_t max_rows, LiveSnapshot& snap);

}  // namespace tcpstate
