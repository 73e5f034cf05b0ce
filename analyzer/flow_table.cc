#include "analyzer/flow_table.h"

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace tcpstate {
namespace {

constexpr uint16_t kWellKnownPortLimit = 1024;

// Zeek compatibility (conn.log rows). Zeek removes a connection, so that
// the next segment on its 4-tuple opens a new row, in three cases we
// follow here (and only these):
//  - after a RST: the RST completes Zeek's close and the connection is
//    removed tcp_close_delay (5 s) later (TCPSessionAdapter::
//    ConnectionClosed), e.g. a backscatter host repeating a lone RST;
//  - a new initial SYN (no ACK) after a RST, even with the same ISN: the
//    connection is closed, so Zeek's IsReuse() treats it as reuse (a
//    client retrying a refused port logs one "Sr" row per attempt);
//  - tcp_attempt_delay (5 s) after an unanswered SYN, when the peer has
//    sent nothing (AttemptTimer), e.g. one-sided captures. The timer runs
//    from the SYN, so only single-SYN connections are split, where the
//    SYN time is known.
constexpr absl::Duration kZeekCloseDelay = absl::Seconds(5);
constexpr absl::Duration kZeekAttemptDelay = absl::Seconds(5);

bool ZeekAttemptExpired(const Side& orig, const Side& resp, absl::Time t) {
  return orig.syns == 1 && !orig.sent_syn_ack && orig.fins == 0 &&
         orig.rsts == 0 && resp.packets == 0 &&
         t - orig.last_control_sent > kZeekAttemptDelay;
}

bool ZeekWouldHaveRemoved(const Connection& conn, const TcpSegment& seg,
                          absl::Time t) {
  const bool saw_rst = conn.client().rsts + conn.server().rsts > 0;
  if (saw_rst) {
    const bool initial_syn = seg.flags.syn() && !seg.flags.ack();
    return initial_syn || t - conn.last_seen() > kZeekCloseDelay;
  }
  return ZeekAttemptExpired(conn.client(), conn.server(), t) ||
         ZeekAttemptExpired(conn.server(), conn.client(), t);
}

bool Finished(TcpState s) { return s == TcpState::kClosed; }

// Puts connections in id order. The ids are read once each, so the sort
// moves (id, pointer) pairs without touching a connection per comparison
// (a million connections are a million cache misses).
void SortById(std::vector<Connection*>& conns) {
  std::vector<std::pair<uint64_t, Connection*>> keyed;
  keyed.reserve(conns.size());
  for (Connection* c : conns) {
    keyed.emplace_back(c->id(), c);
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) {
    conns[i] = keyed[i].second;
  }
}

// Roles when the first segment seen is not a SYN: documented in docs/accuracy.md.
// SYN-ACK: its sender is the server. Otherwise the endpoint on a well-known
// port (< 1024) while the other is not, else the lower port, else the
// receiver of the first segment, is the server.
bool ServerIsSender(const TcpSegment& seg, RoleRule* rule) {
  if (seg.flags.syn() && seg.flags.ack()) {
    *rule = RoleRule::kSynAckSenderIsServer;
    return true;
  }
  const bool src_wk = seg.src_port < kWellKnownPortLimit;
  const bool dst_wk = seg.dst_port < kWellKnownPortLimit;
  if (src_wk != dst_wk) {
    *rule = RoleRule::kWellKnownPortIsServer;
    return src_wk;
  }
  if (seg.src_port != seg.dst_port) {
    *rule = RoleRule::kLowerPortIsServer;
    return seg.src_port < seg.dst_port;
  }
  *rule = RoleRule::kFirstPacketReceiverIsServer;
  return false;
}

}  // namespace

FlowTable::FlowTable(const FlowTableOptions& options)
    : options_(options),
      max_unassured_(options.max_unassured != 0
                         ? options.max_unassured
                         : std::max<size_t>(1, options.max_connections / 8)),
      schedule_(options.sweep_interval) {
  connection_options_.time_wait = options_.time_wait;
  connection_options_.anomalies = &options_.anomalies;
  with_ladder_ = connection_options_;
  with_ladder_.ladder = &options_.ladder_limits;
}

FlowTable::~FlowTable() {
  for (Connection* conn : table_) {
    pool_.Delete(conn);
  }
}

Connection& FlowTable::Create(const FlowKey& key, bool from_low,
                              const TcpSegment& seg, uint64_t packet) {
  RoleRule rule = RoleRule::kSynSenderIsClient;
  bool sender_is_client = true;
  const bool pure_syn = seg.flags.syn() && !seg.flags.ack();
  if (!pure_syn) {
    sender_is_client = !ServerIsSender(seg, &rule);
  }
  const bool mid_stream = !seg.flags.syn();
  const bool client_is_low = sender_is_client == from_low;
  uint64_t id = options_.ids_are_packets ? packet : next_id_++;
  if (options_.shared_ids != nullptr) {
    id = options_.shared_ids->fetch_add(1, std::memory_order_relaxed);
  }
  ++created_;
  const bool ladder = RecordsLadder(id, packet);
  ladders_recording_ += ladder ? 1 : 0;
  Connection* conn =
      pool_.New(id, key, client_is_low, rule, mid_stream,
                ladder ? with_ladder_ : connection_options_);
  table_.insert(conn);
  return *conn;
}

// RFC 9293 3.10.7.4 / RFC 6191 and Wireshark's reused-ports rule: a SYN with
// a new ISN on a 4-tuple whose connection is over (CLOSED or TIME_WAIT on
// either side), or that never got past SYN_SENT, starts a new connection.
bool FlowTable::StartsNewConnection(Connection& conn, const TcpSegment& seg,
                                    bool from_client,
                                    const SegmentContext& ctx) {
  if (!seg.flags.syn() || seg.flags.ack()) {
    return false;
  }
  const Side& x = from_client ? conn.client() : conn.server();
  if (x.has_isn && seg.seq == x.isn) {
    return false;  // a retransmitted SYN
  }
  conn.Refresh(ctx.t);
  const TcpState xs = from_client ? conn.client_state() : conn.server_state();
  const TcpState ys = from_client ? conn.server_state() : conn.client_state();
  auto over = [](TcpState s) {
    return s == TcpState::kClosed || s == TcpState::kTimeWait;
  };
  return over(xs) || over(ys) || xs == TcpState::kSynSent;
}

void FlowTable::OnSegment(const TcpSegment& seg, const SegmentContext& ctx) {
  schedule_.Start(ctx.t);
  bool from_low = false;
  const FlowKey key = FlowKey::Of(seg, &from_low);
  auto it = table_.find(key);
  std::optional<ReuseFacts> reuse;
  absl::Time lost_rst;  // to the sender of a SYN retransmitted past a split
  if (it != table_.end()) {
    Connection& conn = **it;
    const bool from_client = from_low == conn.client_is_low();
    if (ZeekWouldHaveRemoved(conn, seg, ctx.t)) {
      // The segment opens a new record on the 4-tuple (Zeek's row split);
      // a retransmitted SYN still tells the old one its RST was lost.
      lost_rst = conn.RetractRstBySynRetransmission(seg, from_client);
      conn.Refresh(ctx.t);
      Finish(conn, ctx.t, EndReason::kPortReuse);
      Remove(conn);
    } else if (!StartsNewConnection(conn, seg, from_client, ctx)) {
      conn.OnSegment(seg, from_client, ctx);
      Touch(conn);
      Reschedule(conn, /*advance_only=*/true);
      if (options_.live) {
        NoteLive(conn, ctx.t, ctx.packet);
      }
      return;
    } else {
      // StartsNewConnection refreshed the states as of this packet.
      if (conn.client_state() != TcpState::kClosed ||
          conn.server_state() != TcpState::kClosed) {
        reuse = ReuseFacts{conn.id(), conn.client_state(),
                           conn.server_state(), ctx.packet, ctx.t};
      }
      conn.EndTimeWaitForReuse(ctx);
      Finish(conn, ctx.t, EndReason::kPortReuse);
      Remove(conn);
    }
  }
  if (table_.size() >= options_.max_connections) {
    EvictBatch(ctx.t);
  }
  if (unassured_count_ >= max_unassured_) {
    EvictUnassured(ctx.t);
  }
  Connection& conn = Create(key, from_low, seg, ctx.packet);
  if (reuse) {
    conn.NotePortReuse(*reuse);
  }
  if (on_created_) {
    on_created_(conn.id(), reuse ? reuse->previous_id : 0);
  }
  conn.InheritLostRst(from_low == conn.client_is_low(), lost_rst);
  conn.OnSegment(seg, from_low == conn.client_is_low(), ctx);
  LinkAtTail(conn);
  Reschedule(conn, /*advance_only=*/false);
  if (options_.live) {
    NoteLive(conn, ctx.t, ctx.packet);
  }
}

bool FlowTable::RecordsLadder(uint64_t id, uint64_t packet) const {
  switch (options_.ladders) {
    case LadderMode::kOff:
      return false;
    case LadderMode::kSelected:
      return (ladders_recording_ + 1) *
                 LadderRecorder::BytesFor(options_.ladder_limits) <=
             options_.ladder_budget_bytes;
    case LadderMode::kOne:
      return id == options_.ladder_connection;
    case LadderMode::kFirstPackets:
      return std::binary_search(options_.ladder_packets.begin(),
                                options_.ladder_packets.end(), packet);
  }
  return false;
}

void FlowTable::Finish(Connection& conn, absl::Time now, EndReason reason) {
  ConnectionRecord rec = conn.ToRecord(now, reason);
  if (conn.records_ladder()) {
    --ladders_recording_;
  }
  if (options_.live) {
    FinishLive(conn, now, rec);
  }
  if (on_finished_) {
    on_finished_(std::move(rec));
  } else {
    finished_.push_back(std::move(rec));
  }
}

// Writes out `done` (connections of this table) in id order and removes
// them: hash order is not deterministic, and sorting the connections rather
// than their records moves pointers, not records.
void FlowTable::FinishAll(std::vector<Connection*>& done, absl::Time now,
                          EndReason reason) {
  SortById(done);
  for (Connection* conn : done) {
    conn->Refresh(now);
    Finish(*conn, now, reason);
    Remove(*conn);
  }
}

// The table is full: write out 1/16 of it, handshakes that never completed
// first, then the least recently active (conntrack's early_drop, in batches
// so the cost per new connection stays constant). The two lists keep that
// order, so no scan of the table is needed.
void FlowTable::EvictBatch(absl::Time now) {
  const size_t batch = std::max<size_t>(1, table_.size() / 16);
  std::vector<Connection*> victims;
  victims.reserve(batch);
  for (EvictionList* list : {&unassured_, &established_}) {
    for (Connection* c = list->head; c != nullptr && victims.size() < batch;
         c = c->eviction_link().next) {
      victims.push_back(c);
    }
  }
  FinishAll(victims, now, EndReason::kEvicted);
}

// The same for the handshakes alone, 1/16 of their cap at a time.
void FlowTable::EvictUnassured(absl::Time now) {
  const size_t batch = std::max<size_t>(1, max_unassured_ / 16);
  std::vector<Connection*> victims;
  victims.reserve(batch);
  for (Connection* c = unassured_.head; c != nullptr && victims.size() < batch;
       c = c->eviction_link().next) {
    victims.push_back(c);
  }
  FinishAll(victims, now, EndReason::kEvicted);
}

absl::Time FlowTable::NextLook(const Connection& conn) const {
  const absl::Time last = conn.last_seen();
  absl::Time at = std::min(conn.states_hold_until(),
                           last + options_.idle_timeout);
  if (Finished(conn.client_state()) && Finished(conn.server_state())) {
    at = std::min(at, last + options_.close_linger);
  }
  if (conn.half_open()) {
    at = std::min(at, last + options_.half_open_timeout);
  }
  return at;
}

void FlowTable::Reschedule(Connection& conn, bool advance_only) {
  if (advance_only) {
    schedule_.Advance(&conn, conn.schedule_slot(), NextLook(conn));
  } else {
    schedule_.Schedule(&conn, conn.schedule_slot(), NextLook(conn));
  }
}

// A sweep looks at the connections the schedule says are due (looking at
// one early changes nothing), in id order. Under table pressure, whose
// shorter half-open timeout applies to every half-open connection, and in
// live mode, where the stuck-state rules run on every open connection, it
// looks at all of them.
void FlowTable::Expire(absl::Time now) {
  if (now - last_sweep_ < options_.sweep_interval) {
    return;
  }
  last_sweep_ = now;
  const bool pressure = table_.size() * 10 >= options_.max_connections * 9;
  const absl::Duration half_open_timeout =
      pressure ? options_.half_open_timeout_under_pressure
               : options_.half_open_timeout;
  std::vector<Connection*> look;
  if (pressure || options_.live) {
    schedule_.Clear();
    look.assign(table_.begin(), table_.end());
  } else {
    schedule_.TakeDue(now, look);
  }
  SortById(look);
  std::vector<std::pair<Connection*, EndReason>> done;
  for (Connection* ptr : look) {
    Connection& conn = *ptr;
    conn.Refresh(now);
    if (options_.live) {
      SweepLive(conn, now);
    }
    const absl::Duration idle = now - conn.last_seen();
    if (Finished(conn.client_state()) && Finished(conn.server_state()) &&
        idle >= options_.close_linger) {
      // ToRecord derives which close it was.
      done.emplace_back(&conn, EndReason::kClosed);
      continue;
    }
    if (idle >= options_.idle_timeout ||
        (conn.half_open() && idle >= half_open_timeout)) {
      done.emplace_back(&conn, EndReason::kIdleTimeout);
      continue;
    }
    if (conn.unassured() != conn.in_unassured_list()) {
      Touch(conn);  // a timer moved it between the eviction lists
    }
    Reschedule(conn, /*advance_only=*/false);
  }
  for (const auto& [conn, reason] : done) {
    Finish(*conn, now, reason);
    Remove(*conn);
  }
}

// Everything goes at once: the table, the eviction lists and the schedule
// are emptied in one step, not connection by connection (a million hash
// erasures and list unlinks at the end of a large capture).
void FlowTable::FlushAll(absl::Time now) {
  std::vector<Connection*> all;
  all.reserve(table_.size());
  for (Connection* conn : table_) {
    all.push_back(conn);
  }
  table_.clear();
  unassured_ = EvictionList();
  established_ = EvictionList();
  unassured_count_ = 0;
  schedule_.DropAll();
  SortById(all);
  for (Connection* conn : all) {
    conn->Refresh(now);
    Finish(*conn, now, EndReason::kCaptureEnd);
    pool_.Delete(conn);
  }
}

void FlowTable::Unlink(Connection& conn) {
  Connection::EvictionLink& l = conn.eviction_link();
  const bool unassured = conn.in_unassured_list();
  EvictionList& list = unassured ? unassured_ : established_;
  unassured_count_ -= unassured ? 1 : 0;
  (l.prev != nullptr ? l.prev->eviction_link().next : list.head) = l.next;
  (l.next != nullptr ? l.next->eviction_link().prev : list.tail) = l.prev;
  l.prev = nullptr;
  l.next = nullptr;
}

void FlowTable::LinkAtTail(Connection& conn) {
  Connection::EvictionLink& l = conn.eviction_link();
  const bool unassured = conn.unassured();
  conn.in_unassured_list() = unassured;
  EvictionList& list = unassured ? unassured_ : established_;
  unassured_count_ += unassured ? 1 : 0;
  l.prev = list.tail;
  l.next = nullptr;
  (list.tail != nullptr ? list.tail->eviction_link().next : list.head) = &conn;
  list.tail = &conn;
}

void FlowTable::Touch(Connection& conn) {
  Unlink(conn);
  LinkAtTail(conn);
}

void FlowTable::Remove(Connection& conn) {
  Unlink(conn);
  schedule_.Unschedule(conn.schedule_slot());
  table_.erase(conn.key());
  pool_.Delete(&conn);
}

std::vector<ConnectionRecord> FlowTable::TakeFinished() {
  std::vector<ConnectionRecord> out;
  out.swap(finished_);
  return out;
}

}  // namespace tcpstate
