#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly_catalogue.h"
#include "analyzer/anomaly_options.h"
#include "analyzer/endpoint_events.h"
#include "analyzer/endpoint_machine.h"
#include "analyzer/flow_key.h"
#include "analyzer/ladder_recorder.h"
#include "analyzer/packed_time.h"
#include "analyzer/role_rule.h"
#include "analyzer/rtt_tracker.h"
#include "analyzer/seq_analysis.h"
#include "analyzer/sweep_schedule.h"
#include "analyzer/zeek_model.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// Where a segment sits in its connection: who sent it, when, which packet.
// The time is packed once, when the packet arrives: stored many times
// over, read as an absl::Time where it is computed with.
struct SegmentContext {
  uint64_t packet = 0;
  PackedTime t;
};

// Silence after which an assumed receipt counts as proven: every stack
// retransmits an unacknowledged SYN-ACK or FIN well within this (Linux:
// initial RTO 1 s, minimum 200 ms). Read by the fold, the record's
// certainty and the possible states.
inline constexpr absl::Duration kSilenceProof = absl::Seconds(3);

// Per-packet numbers kept as proof for the "how it got there" notes.
using PacketList = absl::InlinedVector<uint64_t, 4>;
inline constexpr size_t kMaxProofPackets = 8;

// What only some endpoints need: retransmitted SYNs and FINs, ACKs proven
// lost after the tap, RSTs ignored or forged, duplicates. Allocated on first
// use, so a clean connection carries one null pointer per endpoint.
struct SideRare {
  uint32_t fin_retransmit_count = 0;
  uint32_t syn_retransmit_count = 0;
  // As receiver: ACKs of this side's SYN/FIN proven lost after the tap.
  uint32_t syn_ack_losses = 0;
  uint32_t fin_ack_losses = 0;
  PacketList fin_retransmits;
  PacketList syn_retransmits;
  uint64_t lost_ack_packet = 0;     // an ACK this side never received
  uint64_t forged_rst_packet = 0;   // RST "from" this side it never sent
  uint64_t ignored_rst_packet = 0;  // RST to this side it could not accept
  // The first RST to it that its later segments proved lost after the tap
  // (the epoch when none).
  PackedTime lost_rst_time;
  uint64_t duplicates = 0;          // packets captured twice
  uint64_t missed_bytes = 0;  // payload bytes sent the capture never saw
  // Gap between its last two SYN/FIN (re)transmissions; read only after a
  // retransmission (which allocates these facts), so kept only here.
  PackedDuration last_control_gap;
  AssumptionTimes valid_from;  // of its assumed kRecvAckOfSyn/Fin events
};

// What an endpoint's first SYN or SYN-ACK carried, packed (12 bytes).
class SynFacts {
 public:
  void Note(const TcpSegment& seg);
  NegotiatedOptions options() const;
  std::optional<uint16_t> ip_id() const;  // IPv4 only (ISN analysis)
  std::optional<uint32_t> tsval() const;  // its TCP timestamp value

 private:
  enum Bits : uint8_t {
    kMss = 1,
    kWindowScale = 2,
    kSack = 4,
    kTimestamps = 8,
    kTfo = 16,
    kIpId = 32,
  };
  uint32_t tsval_ = 0;
  uint16_t mss_ = 0;
  uint16_t ip_id_ = 0;
  uint8_t window_scale_ = 0;
  uint8_t bits_ = 0;
};

// Everything tracked for one endpoint of a connection, as sender and as
// receiver. Sequence bookkeeping is written once and used with the roles
// (sender, receiver) passed in.
struct Side {
  // Fields are grouped by size so that they pack (no padding to speak of).
  // (Its address and port are in the connection's key.)
  // Flags, small counters and the replayed state.
  Side()
      : seq_known(false),
        has_isn(false),
        sent_syn_ack(false),
        has_ack(false),
        fin_sent(false),
        fold_continues(false),
        fold_own_syn_acked(false),
        fin_order_unsure(false) {}
  bool seq_known : 1;
  bool has_isn : 1;
  bool sent_syn_ack : 1;
  bool has_ack : 1;
  bool fin_sent : 1;
  // The last fold of its events can be continued by the next (see
  // Connection::EvaluateState): its state before timers, `event_state`,
  // and its context.
  bool fold_continues : 1;
  bool fold_own_syn_acked : 1;
  // Its FIN was inferred from its sequence numbers (never seen), with the
  // peer's FIN around: which came first is a guess.
  bool fin_order_unsure : 1;
  TcpState event_state = TcpState::kUnknown;
  uint8_t recent_next = 0;
  // Bit per `recent` slot: the peer sent a segment after it was recorded.
  uint8_t recent_peer_spoke = 0;
  TcpState state = TcpState::kUnknown;  // replayed at the last change
  // As sender: sequence space.
  SeqNum isn;
  SeqNum max_end;  // highest seq + len (+SYN/FIN) sent
  SeqNum max_ack;  // highest ACK value sent
  SeqNum fin_seq;  // sequence number the FIN occupies
  // Stats for the record.
  uint32_t syns = 0, fins = 0, rsts = 0;
  SynFacts syn;  // what its first SYN or SYN-ACK carried
  uint64_t data_progress = 0;  // payload bytes by sequence space
  PackedTime last_control_sent;     // last SYN/FIN (re)transmission time
  uint64_t last_packet = 0;
  PackedTime last_time;
  // Recent segment fingerprints: the same packet captured twice (SPAN
  // ports, "-i any") is a duplicate, not a retransmission.
  // Each: the fingerprint, and the low 32 bits of its capture time in
  // nanoseconds (read only for IP ID 0, where the copy must follow within
  // 5 ms and carries the same TCP timestamp, whose clock ticks at least
  // once a second (RFC 7323 5.4): never a 2^32 ns lap later).
  std::array<uint64_t, 4> recent_hash{};
  std::array<uint32_t, 4> recent_ns{};
  // Data transfer analysis of what this side sends.
  FlowDirection flow;
  RttTracker rtt;  // round trips of the data it sends
  uint64_t last_data_packet = 0;
  PackedTime last_data_time;
  uint64_t packets = 0;
  uint64_t ip_bytes = 0;
  // Rare facts (zero when none were allocated).
  const SideRare& rare() const { return rare_ != nullptr ? *rare_ : kNoRare; }
  SideRare& mutable_rare() {
    if (rare_ == nullptr) {
      rare_ = std::make_unique<SideRare>();
    }
    return *rare_;
  }
  bool has_rare() const { return rare_ != nullptr; }
  std::unique_ptr<SideRare> rare_;
  static const SideRare kNoRare;
  // The endpoint's believed history (its first SYN and FIN among it).
  EndpointEvents events;
  uint64_t syn_packet() const { return events.syn_packet(); }
  PackedTime syn_time() const { return events.syn_time(); }
  uint64_t fin_packet() const { return events.fin_packet(); }
  PackedTime fin_time() const { return events.fin_time(); }
};

// Sequence space `sender` sent that `receiver` has not acknowledged, as
// far as the capture shows (0 when the receiver never ACKed, or all is).
inline uint64_t UnacknowledgedBy(const Side& receiver, const Side& sender) {
  if (!sender.seq_known || !receiver.has_ack ||
      !sender.max_end.IsAfter(receiver.max_ack)) {
    return 0;
  }
  return receiver.max_ack.ForwardDistanceTo(sender.max_end);
}

// One anomaly kind on one endpoint of a connection: repeats are counted,
// the first packets kept as proof.
struct AnomalyTally {
  AnomalyKind kind = AnomalyKind::kCount;
  bool client = true;  // the endpoint at fault
  uint64_t count = 0;
  uint64_t first_packet = 0;
  uint64_t last_packet = 0;
  PackedTime first_t;
  PackedTime last_t;
  PacketList packets;
};

// The first acceptable RST of a connection, for rst_teardown / refused.
struct RstFacts {
  uint64_t packet = 0;
  PackedTime t;
  bool from_client = false;
  bool carried_data = false;
  TcpState sender_state = TcpState::kUnknown;    // before the RST
  TcpState receiver_state = TcpState::kUnknown;  // before the RST
  uint32_t unacked_bytes = 0;  // sender's data its peer had not ACKed
};

// The connection this one replaced on the same 4-tuple.
struct ReuseFacts {
  uint64_t previous_id = 0;
  TcpState previous_client = TcpState::kUnknown;
  TcpState previous_server = TcpState::kUnknown;
  uint64_t packet = 0;
  PackedTime t;
};

// The sentence of a port_reuse anomaly.
std::string PortReuseDetail(const PortReuse& reuse);

// Gives `rec` its final id and, when it reused the 4-tuple of another
// connection, that one's (`reused_id`), rewriting the sentence that names
// it. For the merger of a sharded analysis, whose shards number
// connections by their first packet.
void RenumberConnection(ConnectionRecord& rec, uint64_t id,
                        uint64_t reused_id);

// What only some connections need, allocated on first use.
struct ConnectionRare {
  std::vector<AnomalyTally> tallies;  // data-transfer anomalies flagged
  std::optional<RstFacts> rst;        // the RST that (last) ended it
  std::optional<ReuseFacts> reuse;    // the connection it replaced
  // The ladder it records (only when ladders are on for it).
  std::unique_ptr<LadderRecorder> ladder;
};

struct ConnectionOptions {
  absl::Duration time_wait = absl::Seconds(60);
  const AnomalyOptions* anomalies = nullptr;  // owned by the flow table
  // Records a ladder when set (owned by the flow table).
  const LadderLimits* ladder = nullptr;
};

// When an endpoint that retransmitted its SYN (`syn`) or SYN-ACK, first at
// `first`, last at `last`, gives up under Linux's schedule: its next
// retransmission's due time plus a margin, or one back-off after the last.
absl::Time LinuxHandshakeGiveUp(absl::Time first, absl::Time last, bool syn);

// The order of a record's anomalies: first packet, kind, endpoint.
void SortAnomalies(std::vector<Anomaly>& anomalies);

class Connection {
 public:
  // `client_is_low`: whether the FlowKey's low endpoint is the client.
  // `options` must outlive the connection (the flow table owns it).
  Connection(uint64_t id, const FlowKey& key, bool client_is_low,
             RoleRule role_rule, bool mid_stream,
             const ConnectionOptions& options);

  // Feeds one segment; `from_client` says who sent it.
  void OnSegment(const TcpSegment& seg, bool from_client,
                 const SegmentContext& ctx);

  // Re-evaluates both endpoints' states at capture time `now` (timers and
  // deferred assumptions depend on it).
  void Refresh(PackedTime now);

  TcpState client_state() const { return client_.state; }
  TcpState server_state() const { return server_.state; }
  const Side& client() const { return client_; }
  const Side& server() const { return server_; }
  bool client_is_low() const { return client_is_low_; }
  bool records_ladder() const { return ladder() != nullptr; }
  // The flow table key (canonical 5-tuple) of this connection.
  const FlowKey& key() const { return key_; }
  const Endpoint4& client_ep() const {
    return client_is_low_ ? key_.low : key_.high;
  }
  const Endpoint4& server_ep() const {
    return client_is_low_ ? key_.high : key_.low;
  }

  // The flow table's eviction order: connections in two lists (handshakes
  // never completed, the others), each least recently active first. Owned
  // by the table.
  struct EvictionLink {
    Connection* prev = nullptr;
    Connection* next = nullptr;
  };
  EvictionLink& eviction_link() { return eviction_link_; }
  // Which of the two lists it is in (kept apart from the link, where it
  // would cost a padded word).
  bool& in_unassured_list() { return in_unassured_list_; }
  // Its place in the flow table's sweep schedule (owned by the table).
  ScheduleSlot& schedule_slot() { return schedule_slot_; }
  // Until when (capture time) both endpoints' states hold without new
  // segments, as of the last Refresh: a timer or a deferred assumption.
  absl::Time states_hold_until() const { return eval_until_; }
  uint64_t id() const { return id_; }
  absl::Time last_seen() const { return last_seen_; }
  absl::Time first_seen() const { return first_seen_; }
  // Not both endpoints synchronized (now): a handshake not completed, a
  // one-sided pickup, or a connection closed. Its idle timeout is shorter.
  bool half_open() const {
    return !IsSynchronized(client_.state) || !IsSynchronized(server_.state);
  }
  // Both endpoints were never synchronized at once (conntrack's
  // "unassured"): a handshake that never completed. Evicted first, and
  // capped apart (a SYN flood), when the table is full.
  bool unassured() const { return !assured_; }

  // Builds the report record; `now` is the capture time it is written at.
  // `cause` is why the flow table writes it out (capture end, idle timeout,
  // a new connection on the 4-tuple, eviction, or both endpoints closed);
  // when both endpoints reached CLOSED, the end reason is derived from the
  // steps that took them there instead (reset only by an accepted RST).
  ConnectionRecord ToRecord(absl::Time now, EndReason cause) const;

  // Live mode. The stuck-state rules the record applies (lifecycle.cc),
  // evaluated on the current states at `now`: call Refresh(now) first.
  void AddStuckAnomalies(absl::Time now, std::vector<Anomaly>& out) const;
  // The data-transfer tallies so far, in first-seen order, each as the
  // anomaly the record will carry.
  size_t tally_count() const { return rare().tallies.size(); }
  Anomaly TallyAnomaly(size_t index) const;

  // Records that this connection took over the 4-tuple of another.
  void NotePortReuse(const ReuseFacts& facts) { mutable_rare().reuse = facts; }

  // A retransmission of its SYN (the same ISN) that the flow table turns
  // into a new record (Zeek's row split after an RST): the RST the sender
  // was assumed to get was lost after the tap, and is taken back. Returns
  // when the path first lost an RST to it (the epoch if none).
  absl::Time RetractRstBySynRetransmission(const TcpSegment& seg,
                                           bool from_client);
  // The new record's endpoint is the same socket, to which the path lost an
  // RST at `t` (RetractRstBySynRetransmission): its RSTs count only after
  // silence (AssumptionTimes).
  void InheritLostRst(bool client, absl::Time t);

  // A TIME_WAIT endpoint replaced by a new connection on the same 4-tuple
  // (RFC 9293 3.10.7.4, RFC 6191) ends up CLOSED.
  void EndTimeWaitForReuse(const SegmentContext& ctx);

 private:
  const ConnectionRare& rare() const {
    return rare_ != nullptr ? *rare_ : kNoRare;
  }
  ConnectionRare& mutable_rare() {
    if (rare_ == nullptr) {
      rare_ = std::make_unique<ConnectionRare>();
    }
    return *rare_;
  }
  static const ConnectionRare kNoRare;
  LadderRecorder* ladder() const {
    return rare_ != nullptr ? rare_->ladder.get() : nullptr;
  }

  void HandleRetractions(const TcpSegment& seg, Side& x,
                         const SegmentContext& c);
  // Takes back x's RST receipt and RST sending: later segments of x prove
  // neither happened.
  void RetractRsts(Side& x);
  // A retransmission of what x's assumed receipt `ack` acknowledged: the
  // receipt is taken back (lost after the tap). False if there was none or
  // it was confirmed.
  bool RetractAssumedAck(Side& x, EndpointEvent ack, PackedTime now);
  // `own_prev`: x's previous segment (packet 0 if none); `proof`: this one.
  void ConfirmReceipts(const TcpSegment& seg, Side& x, Side& y,
                       const SegmentContext& own_prev,
                       const SegmentContext& proof);
  // Round trips (RttTracker): the ACK `seg` carries times the data of `y`
  // it acknowledges; its own payload is timed unless it repeats data
  // (a retransmission) or only probes (keep-alive, zero-window probe).
  static void FeedRtt(const TcpSegment& seg, AnomalyKindSet kinds, Side& x,
                      Side& y, PackedTime t);
  void RecordSends(const TcpSegment& seg, Side& x, Side& y,
                   const SegmentContext& own_prev, const SegmentContext& c);
  void FinSentBeforePeerFin(const TcpSegment& seg, Side& x, const Side& y,
                            const SegmentContext& c);
  void AssumeReceipts(const TcpSegment& seg, Side& y, const SegmentContext& c);
  void HandleRst(const TcpSegment& seg, Side& x, Side& y,
                 const SegmentContext& c);
  ZeekSegmentFacts UpdateSequences(const TcpSegment& seg, Side& x);
  void RefreshSide(Side& s, absl::Time now);
  TcpState EvaluateState(Side& s, absl::Time now, TimerWindow& window) const;
  // When an endpoint in a handshake state that stopped retransmitting has
  // given up: after silence past its own back-off, and, once it
  // retransmitted, no sooner than Linux's schedule (LinuxHandshakeGiveUp).
  absl::Time GiveUpTime(const Side& s, TcpState state) const;
  absl::Time SilenceGiveUpTime(const Side& s, TcpState state) const;
  // Possible states other than the reported one (possible_states.cc).
  std::vector<PossibleState> PossibleStatesOf(const Side& s, const Side& peer,
                                              const ReplayResult& r,
                                              absl::Time now) const;
  // Replay plus the timers that need no event: an endpoint that stopped
  // retransmitting an unanswered SYN or SYN-ACK has given up (or, for a
  // SYN-ACK, answered with a SYN cookie and kept no state).
  ReplayResult Evaluate(const Side& s, absl::Time now) const;
  bool IsDuplicate(const TcpSegment& seg, Side& x, PackedTime t);
  void Flag(AnomalyKind kind, bool client, const SegmentContext& c);
  // Whether `packet` is already among the proof packets of `kind`.
  bool Flagged(AnomalyKind kind, uint64_t packet) const;
  // Lifecycle anomalies, judged when the record is written (lifecycle.cc).
  void AddLifecycleAnomalies(absl::Time now, ConnectionRecord& rec) const;
  void AddTallies(ConnectionRecord& rec) const;
  // `horizon` ends the details' sentences: how the observation ended.
  void AddStuck(absl::Time now, TcpState client_state, TcpState server_state,
                const char* horizon, std::vector<Anomaly>& out) const;
  void AddHandshakeAnomalies(absl::Time now, ConnectionRecord& rec) const;
  void AddRstAnomalies(ConnectionRecord& rec) const;
  void AddShapeAnomalies(ConnectionRecord& rec) const;
  // A retransmission of data or a FIN whose kept original the receiver
  // proved it never got: marked lost after the tap (connection_ladder.cc).
  void NoteLostOriginal(const TcpSegment& seg, const Side& x, const Side& y,
                        bool from_client);
  void AddLadder(ConnectionRecord& rec) const;
  void AddNotes(const Side& s, const Side& peer, const char* name,
                const char* peer_name, ConnectionRecord& rec) const;

  // First, so that a flow-table probe reads one cache line.
  FlowKey key_;
  uint64_t id_;
  bool client_is_low_;
  bool assured_ = false;  // both endpoints were synchronized at some point
  bool in_unassured_list_ = false;  // owned by the flow table
  bool mid_stream_;
  RoleRule role_rule_;
  const ConnectionOptions* options_;
  Side client_;
  Side server_;
  ZeekModel zeek_;
  // Null unless a data-transfer anomaly, an RST or a port reuse was seen,
  // or it records a ladder.
  std::unique_ptr<ConnectionRare> rare_;
  EvictionLink eviction_link_;
  ScheduleSlot schedule_slot_;
  // The capture time window in which both endpoints' states hold (empty
  // until first folded).
  PackedTime eval_from_ = absl::InfiniteFuture();
  PackedTime eval_until_ = absl::InfinitePast();
  PackedTime first_seen_;
  PackedTime last_seen_;
  uint64_t first_packet_ = 0;
  uint64_t last_packet_ = 0;
};

}  // namespace tcpstate
