// Live mode of the flow table: state changes and anomalies of open
// connections announced as they happen, and snapshots for the live view.
// The anomaly rules are the record's own (Connection::AddStuckAnomalies,
// Connection::TallyAnomaly); this file only decides when to announce.
#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "analyzer/flow_table.h"

namespace tcpstate {
namespace {

ConnectionRef RefOf(const Connection& conn) {
  ConnectionRef r;
  r.id = conn.id();
  r.client_addr = conn.client_ep().addr;
  r.client_port = conn.client_ep().port;
  r.server_addr = conn.server_ep().addr;
  r.server_port = conn.server_ep().port;
  r.client_state = conn.client_state();
  r.server_state = conn.server_state();
  return r;
}

ConnectionRef RefOf(const ConnectionRecord& rec) {
  ConnectionRef r;
  r.id = rec.id;
  r.client_addr = rec.client.addr;
  r.client_port = rec.client.port;
  r.server_addr = rec.server.addr;
  r.server_port = rec.server.port;
  r.client_state = rec.client.state;
  r.server_state = rec.server.state;
  return r;
}

// Bit of `anomaly` in LiveConn::announced: which word, which bit.
std::pair<size_t, uint32_t> AnnouncedBit(const Anomaly& anomaly) {
  const std::optional<AnomalyKind> kind = AnomalyKindFromId(anomaly.kind);
  const size_t word = anomaly.endpoint == "client"   ? 0
                      : anomaly.endpoint == "server" ? 1
                                                     : 2;
  const size_t bit = kind ? static_cast<size_t>(*kind) : kNumAnomalyKinds;
  return {word, bit < 32 ? uint32_t{1} << bit : 0};
}

bool SameFinding(const Anomaly& a, const Anomaly& b) {
  return a.kind == b.kind && a.endpoint == b.endpoint;
}

// States shown in the live view's list: the handshake, the closing states,
// and TIME_WAIT.
bool Lingers(TcpState s) {
  switch (s) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kClosing:
    case TcpState::kCloseWait:
    case TcpState::kLastAck:
    case TcpState::kTimeWait:
      return true;
    default:
      return false;
  }
}

bool IsStuckKind(const std::string& id) {
  for (AnomalyKind k :
       {AnomalyKind::kCloseWaitStuck, AnomalyKind::kFinWait2Stuck,
        AnomalyKind::kFinWait1Stuck, AnomalyKind::kLastAckStuck}) {
    if (id == InfoOf(k).id) {
      return true;
    }
  }
  return false;
}

}  // namespace

void FlowTable::Announce(const ConnectionRef& ref, LiveConn& lc, absl::Time t,
                         const Anomaly& anomaly) {
  const auto [word, bit] = AnnouncedBit(anomaly);
  if (bit != 0 && (lc.announced[word] & bit) != 0) {
    return;
  }
  lc.announced[word] |= bit;
  anomaly_events_.push_back({ref, t, anomaly});
}

void FlowTable::NoteStates(const Connection& conn, LiveConn& lc, absl::Time t,
                           uint64_t packet) {
  struct View {
    bool client;
    TcpState now;
    TcpState* last;
    absl::Time* since;
  };
  const View views[] = {
      {true, conn.client_state(), &lc.client, &lc.client_since},
      {false, conn.server_state(), &lc.server, &lc.server_since}};
  for (const View& v : views) {
    if (v.now == *v.last) {
      continue;
    }
    state_events_.push_back({RefOf(conn), t, packet, v.client, *v.last,
                             v.now});
    *v.last = v.now;
    *v.since = t;
  }
}

void FlowTable::NoteLive(Connection& conn, absl::Time t, uint64_t packet) {
  conn.Refresh(t);
  LiveConn& lc = live_[conn.id()];
  NoteStates(conn, lc, t, packet);
  for (; lc.tallies_announced < conn.tally_count(); ++lc.tallies_announced) {
    Announce(RefOf(conn), lc, t, conn.TallyAnomaly(lc.tallies_announced));
  }
}

void FlowTable::SweepLive(Connection& conn, absl::Time now) {
  LiveConn& lc = live_[conn.id()];
  NoteStates(conn, lc, now, 0);
  std::vector<Anomaly> stuck;
  conn.AddStuckAnomalies(now, stuck);
  for (Anomaly& a : stuck) {
    const auto [word, bit] = AnnouncedBit(a);
    if ((lc.announced[word] & bit) != 0) {
      continue;
    }
    Announce(RefOf(conn), lc, now, a);
    lc.fired.push_back(std::move(a));
  }
}

void FlowTable::FinishLive(const Connection& conn, absl::Time now,
                           ConnectionRecord& rec) {
  LiveConn lc;
  auto it = live_.find(conn.id());
  if (it != live_.end()) {
    lc = std::move(it->second);
    live_.erase(it);
  }
  // A stuck state that fired live stays on the record, once, even when
  // the connection recovered before it was written.
  bool added = false;
  for (Anomaly& fired : lc.fired) {
    const bool present =
        std::any_of(rec.anomalies.begin(), rec.anomalies.end(),
                    [&](const Anomaly& a) { return SameFinding(a, fired); });
    if (!present) {
      rec.anomalies.push_back(std::move(fired));
      added = true;
    }
  }
  if (added) {
    SortAnomalies(rec.anomalies);
  }
  const ConnectionRef ref = RefOf(rec);
  for (const Anomaly& a : rec.anomalies) {
    Announce(ref, lc, now, a);
  }
}

std::vector<StateChangeEvent> FlowTable::TakeStateEvents() {
  std::vector<StateChangeEvent> out;
  out.swap(state_events_);
  return out;
}

std::vector<AnomalyEvent> FlowTable::TakeAnomalyEvents() {
  std::vector<AnomalyEvent> out;
  out.swap(anomaly_events_);
  return out;
}

// Payload bytes each way and their rates since the connection's previous
// snapshot (or since its first packet), which this one becomes.
LiveSnapshot::Active FlowTable::ActiveRow(const Connection& conn,
                                          absl::Time now, LiveConn& lc) {
  LiveSnapshot::Active a;
  a.connection = RefOf(conn);
  a.bytes_c2s = conn.client().data_progress;
  a.bytes_s2c = conn.server().data_progress;
  a.age = now - conn.first_seen();
  const bool before = lc.rate_at != absl::InfinitePast();
  const absl::Duration span = before ? now - lc.rate_at : a.age;
  if (span > absl::ZeroDuration()) {
    const double secs = absl::ToDoubleSeconds(span);
    a.rate_c2s = static_cast<double>(a.bytes_c2s - lc.rate_bytes[0]) / secs;
    a.rate_s2c = static_cast<double>(a.bytes_s2c - lc.rate_bytes[1]) / secs;
  }
  lc.rate_at = now;
  lc.rate_bytes = {a.bytes_c2s, a.bytes_s2c};
  return a;
}

LiveSnapshot FlowTable::Snapshot(absl::Time now, size_t max_rows,
                                 LiveSort sort) {
  LiveSnapshot snap;
  snap.now = now;
  snap.sort = sort;
  snap.open = table_.size();
  snap.created = created();
  std::map<std::pair<TcpState, TcpState>, uint64_t> pairs;
  for (const Connection* conn : table_) {
    ++pairs[{conn->client_state(), conn->server_state()}];
    auto it = live_.find(conn->id());
    LiveConn* lc = it != live_.end() ? &it->second : nullptr;
    const TcpState cs = conn->client_state();
    const TcpState ss = conn->server_state();
    if ((cs == TcpState::kEstablished || ss == TcpState::kEstablished) &&
        !Lingers(cs) && !Lingers(ss)) {
      if (lc == nullptr) {
        lc = &live_[conn->id()];
      }
      snap.active.push_back(ActiveRow(*conn, now, *lc));
    }
    for (bool client : {true, false}) {
      const TcpState s = client ? conn->client_state() : conn->server_state();
      if (!Lingers(s)) {
        continue;
      }
      absl::Time since = conn->last_seen();
      bool stuck = false;
      if (lc != nullptr) {
        since = client ? lc->client_since : lc->server_since;
        for (const Anomaly& a : lc->fired) {
          stuck = stuck || (a.endpoint == (client ? "client" : "server") &&
                            IsStuckKind(a.kind));
        }
      }
      snap.lingering.push_back({RefOf(*conn), client, now - since, stuck});
    }
  }
  snap.lingering_total = snap.lingering.size();
  snap.active_total = snap.active.size();
  OrderSnapshot(pairs, max_rows, snap);
  return snap;
}

void OrderSnapshot(
    const std::map<std::pair<TcpState, TcpState>, uint64_t>& pairs,
    size_t max_rows, LiveSnapshot& snap) {
  snap.pairs.clear();
  for (const auto& [states, count] : pairs) {
    snap.pairs.push_back({states.first, states.second, count});
  }
  std::stable_sort(snap.pairs.begin(), snap.pairs.end(),
                   [](const LiveSnapshot::PairCount& a,
                      const LiveSnapshot::PairCount& b) {
                     return a.count > b.count;
                   });
  auto first = [](const LiveSnapshot::Lingering& a,
                  const LiveSnapshot::Lingering& b) {
    if (a.stuck != b.stuck) {
      return a.stuck;
    }
    return a.age != b.age ? a.age > b.age : a.connection.id < b.connection.id;
  };
  const size_t keep = std::min(max_rows, snap.lingering.size());
  std::partial_sort(snap.lingering.begin(), snap.lingering.begin() + keep,
                    snap.lingering.end(), first);
  snap.lingering.resize(keep);
  auto key = [sort = snap.sort](const LiveSnapshot::Active& a) {
    switch (sort) {
      case LiveSort::kRate:
        return a.rate_c2s + a.rate_s2c;
      case LiveSort::kBytes:
        return static_cast<double>(a.bytes_c2s + a.bytes_s2c);
      case LiveSort::kAge:
        return absl::ToDoubleSeconds(a.age);
    }
    return 0.0;
  };
  auto larger = [&key](const LiveSnapshot::Active& a,
                       const LiveSnapshot::Active& b) {
    const double x = key(a);
    const double y = key(b);
    return x != y ? x > y : a.connection.id < b.connection.id;
  };
  const size_t keep_active = std::min(max_rows, snap.active.size());
  std::partial_sort(snap.active.begin(), snap.active.begin() + keep_active,
                    snap.active.end(), larger);
  snap.active.resize(keep_active);
}

}  // namespace tcpstate
