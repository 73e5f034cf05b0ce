#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly_options.h"
#include "analyzer/connection.h"
#include "analyzer/connection_pool.h"
#include "analyzer/flow_key.h"
#include "analyzer/live.h"
#include "analyzer/sweep_schedule.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

struct FlowTableOptions {
  absl::Duration time_wait = absl::Seconds(60);
  absl::Duration idle_timeout = absl::Hours(2);
  // How long a connection whose endpoints are both CLOSED stays in the
  // table to absorb stray late packets before it is written out.
  absl::Duration close_linger = absl::Seconds(10);
  // Expiry scans run at most this often (capture time).
  absl::Duration sweep_interval = absl::Seconds(5);
  // Table cap: when it is full, a batch of connections is evicted (written
  // out with end reason "evicted"), handshakes that never completed first,
  // least recently active first (its last packet, or a timer that changed
  // its states), as Linux conntrack does.
  size_t max_connections = 65536;
  // Handshakes that never completed may take at most this many of those
  // places (a SYN backlog): beyond it the oldest are evicted, so that a SYN
  // flood costs a bounded share of memory while established connections
  // keep the rest. 0: an eighth of max_connections.
  size_t max_unassured = 0;
  // Idle timeout of a handshake that never completed (conntrack: SYN_SENT
  // 120 s), and the shorter one used while the table is over 90% full
  // (Zeek's attempt timer: 5 s).
  absl::Duration half_open_timeout = absl::Seconds(120);
  absl::Duration half_open_timeout_under_pressure = absl::Seconds(5);
  AnomalyOptions anomalies;
  // Live mode: state changes and anomalies of open connections are
  // announced as they happen (flow_table_live.cc), the stuck-state rules
  // run at every sweep, and a stuck anomaly that fired stays on the record
  // even if the connection recovers.
  bool live = false;
  // Which connections record a ladder, and how much of it.
  LadderMode ladders = LadderMode::kOff;
  uint64_t ladder_connection = 0;  // with kOne
  std::vector<uint64_t> ladder_packets;  // with kFirstPackets, sorted
  // With kSelected: at most this many bytes of recorders at once; a
  // connection created while they are all in use records no ladder.
  uint64_t ladder_budget_bytes = uint64_t{64} << 20;
  LadderLimits ladder_limits;
  // One shard of a sharded analysis (analyzer/parallel_analyzer.h): a
  // connection's id is the number of the packet that created it (a packet
  // creates at most one), which the merger renumbers in creation order.
  bool ids_are_packets = false;
  // Live capture on several workers (analyzer/live_shards.h): ids come
  // from this counter, shared by the workers' tables (unique, in about the
  // order connections were created).
  std::atomic<uint64_t>* shared_ids = nullptr;
};

// Open connections keyed by canonical 5-tuple. Finished connections leave
// the table and are handed out through TakeFinished(), so memory follows the
// number of open connections, not the length of the capture.
class FlowTable {
 public:
  explicit FlowTable(const FlowTableOptions& options);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  void OnSegment(const TcpSegment& seg, const SegmentContext& ctx);
  // Writes out connections whose time is up at capture time `now`.
  void Expire(absl::Time now);
  // Writes out everything still open (end of capture).
  void FlushAll(absl::Time now);

  // Records finished since the last call, in a deterministic order.
  std::vector<ConnectionRecord> TakeFinished();
  // Instead of TakeFinished(): each record is handed to `handler` as soon
  // as it is finished (within a batch, in id order), so no batch of
  // records is ever held.
  using FinishedHandler = std::function<void(ConnectionRecord&&)>;
  void SetFinishedHandler(FinishedHandler handler) {
    on_finished_ = std::move(handler);
  }

  // Each connection as it is created: its id and, when its SYN reused the
  // 4-tuple of a connection still open, that connection's id (else 0).
  // Called before the segment is analysed.
  using CreatedHandler = std::function<void(uint64_t id, uint64_t reuses)>;
  void SetCreatedHandler(CreatedHandler handler) {
    on_created_ = std::move(handler);
  }

  uint64_t created() const { return created_; }
  size_t open() const { return table_.size(); }

  // Live mode: events since the last call, in the order they happened.
  std::vector<StateChangeEvent> TakeStateEvents();
  std::vector<AnomalyEvent> TakeAnomalyEvents();
  // Live mode: the open connections at `now`; at most `max_lingering`
  // rows of lingering endpoints, oldest first.
  // Not const: each established connection's rate is measured from the
  // previous snapshot, which this one becomes.
  LiveSnapshot Snapshot(absl::Time now, size_t max_rows,
                        LiveSort sort = LiveSort::kRate);

 private:
  // What live mode announced about one open connection.
  struct LiveConn {
    std::array<uint32_t, 3> announced{};  // kind bits: client, server, other
    uint32_t tallies_announced = 0;
    TcpState client = TcpState::kUnknown;
    TcpState server = TcpState::kUnknown;
    absl::Time client_since;
    absl::Time server_since;
    std::vector<Anomaly> fired;  // stuck-state anomalies fired live
    // Payload bytes each way at the previous live-view snapshot.
    absl::Time rate_at = absl::InfinitePast();
    std::array<uint64_t, 2> rate_bytes{};
  };
  LiveSnapshot::Active ActiveRow(const Connection& conn, absl::Time now,
                                 LiveConn& lc);
  // After a segment (packet != 0) or a sweep (packet 0).
  void NoteLive(Connection& conn, absl::Time t, uint64_t packet);
  void SweepLive(Connection& conn, absl::Time now);
  void FinishLive(const Connection& conn, absl::Time now,
                  ConnectionRecord& rec);
  void NoteStates(const Connection& conn, LiveConn& lc, absl::Time t,
                  uint64_t packet);
  void Announce(const ConnectionRef& ref, LiveConn& lc, absl::Time t,
                const Anomaly& anomaly);

  Connection& Create(const FlowKey& key, bool from_low, const TcpSegment& seg,
                     uint64_t packet);
  bool RecordsLadder(uint64_t id, uint64_t packet) const;
  void EvictBatch(absl::Time now);
  // Too many handshakes never completed: the oldest of them are written out.
  void EvictUnassured(absl::Time now);
  // Writes out `done` in id order and removes them from the table.
  void FinishAll(std::vector<Connection*>& done, absl::Time now,
                 EndReason reason);
  // The eviction lists (Connection::EvictionLink).
  struct EvictionList {
    Connection* head = nullptr;  // least recently active
    Connection* tail = nullptr;
  };
  void Unlink(Connection& conn);
  void LinkAtTail(Connection& conn);  // into the list unassured() names
  void Touch(Connection& conn);       // active now: to its list's tail
  void Remove(Connection& conn);      // unlinks and destroys it
  // When a sweep must next look at `conn`: a timer in its states, its idle
  // or half-open timeout, or the linger after both endpoints closed.
  absl::Time NextLook(const Connection& conn) const;
  // Files `conn` for the sweep at NextLook, or earlier (`advance_only`:
  // only if that is earlier than where it is filed).
  void Reschedule(Connection& conn, bool advance_only);
  bool StartsNewConnection(Connection& conn, const TcpSegment& seg,
                           bool from_client, const SegmentContext& ctx);
  void Finish(Connection& conn, absl::Time now, EndReason reason);

  FlowTableOptions options_;
  // What every connection points to: without and with a ladder recorder.
  ConnectionOptions connection_options_;
  ConnectionOptions with_ladder_;
  // Connections live in the pool; the table holds pointers to them, found
  // by the key each connection carries (hash and equality take a FlowKey
  // or a connection), so a slot costs a pointer, not a key and a pointer.
  struct KeyHash {
    using is_transparent = void;
    static constexpr char kSeedAnchor = 0;  // its address seeds the hash
    size_t operator()(const FlowKey& k) const {
      return FlowKeyHash(k, reinterpret_cast<uintptr_t>(&kSeedAnchor));
    }
    size_t operator()(const Connection* c) const { return (*this)(c->key()); }
  };
  struct KeyEq {
    using is_transparent = void;
    static const FlowKey& KeyOf(const FlowKey& k) { return k; }
    static const FlowKey& KeyOf(const Connection* c) { return c->key(); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return KeyOf(a) == KeyOf(b);
    }
  };
  ConnectionPool pool_;
  absl::flat_hash_set<Connection*, KeyHash, KeyEq> table_;
  std::vector<ConnectionRecord> finished_;
  FinishedHandler on_finished_;
  CreatedHandler on_created_;
  uint64_t created_ = 0;
  EvictionList unassured_;
  size_t unassured_count_ = 0;  // connections in that list
  size_t max_unassured_;
  EvictionList established_;
  uint64_t next_id_ = 1;
  size_t ladders_recording_ = 0;  // open connections with a recorder
  absl::Time last_sweep_ = absl::InfinitePast();
  SweepSchedule schedule_;
  absl::flat_hash_map<uint64_t, LiveConn> live_;  // by connection id
  std::vector<StateChangeEvent> state_events_;
  std::vector<AnomalyEvent> anomaly_events_;
};

}  // namespace tcpstate
