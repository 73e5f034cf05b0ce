#include "analyzer/connection.h"

#include <algorithm>
#include <utility>

namespace tcpstate {
namespace {

using E = EndpointEvent;

constexpr absl::Duration kMinRetransmitGap = absl::Milliseconds(200);
constexpr int32_t kDuplicateWindowNanos = 5'000'000;  // 5 ms

// The low 32 bits of a capture time in nanoseconds since the epoch: their
// difference (mod 2^32, signed) is the time between two packets less than
// 2.1 s apart, a copy stamped before its original included.
uint32_t LowNanos(PackedTime t) {
  return static_cast<uint32_t>(static_cast<uint64_t>(t.unix_nanos()));
}
// Two and a half times `d`: a retransmission back-off with margin. Exact
// (Duration * 5 / 2 in integer ticks), without absl's slower double scaling.
absl::Duration BackOff(absl::Duration d) { return d * 5 / 2; }

// Sorts an event after everything else that happened at its packet.
constexpr uint8_t kOrderAfterPacket = 6;

void RememberPacket(PacketList& list, uint64_t packet) {
  if (list.size() < kMaxProofPackets) {
    list.push_back(packet);
  }
}

// Notes the (re)transmission time of a SYN or FIN for back-off estimates.
void NoteControlSent(Side& x, PackedTime t) {
  if (x.last_control_sent != absl::Time()) {
    if (x.has_rare()) {
      x.mutable_rare().last_control_gap = t - x.last_control_sent;
    }
  }
  x.last_control_sent = t;
  // Its give-up time (GiveUpTime) moved: the state is evaluated again.
  x.events.MarkDirty();
}

// After the path has lost an ACK of this side's SYN/FIN, a new ACK counts
// only once the sender stayed silent past its next expected retransmission
// (exponential back-off: twice the last gap).
absl::Time AssumptionValidFrom(const Side& receiver, uint32_t losses,
                               absl::Time ack_time) {
  if (losses == 0) {
    return absl::InfinitePast();
  }
  const absl::Duration gap =
      std::max(absl::Duration(receiver.rare().last_control_gap),
               kMinRetransmitGap);
  return std::max(ack_time, receiver.last_control_sent + BackOff(gap));
}

}  // namespace

void SynFacts::Note(const TcpSegment& seg) {
  const TcpOptions& o = seg.options;
  bits_ = 0;
  if (!seg.src.is_v6()) {
    ip_id_ = seg.ip_id;
    bits_ |= kIpId;
  }
  if (o.timestamps) {
    tsval_ = o.timestamps->value;
    bits_ |= kTimestamps;
  }
  if (o.mss) {
    mss_ = *o.mss;
    bits_ |= kMss;
  }
  if (o.window_scale) {
    window_scale_ = *o.window_scale;
    bits_ |= kWindowScale;
  }
  bits_ |= (o.sack_permitted ? kSack : 0) | (o.tfo ? kTfo : 0);
}

NegotiatedOptions SynFacts::options() const {
  NegotiatedOptions n;
  if ((bits_ & kMss) != 0) {
    n.mss = mss_;
  }
  if ((bits_ & kWindowScale) != 0) {
    n.window_scale = window_scale_;
  }
  n.sack_permitted = (bits_ & kSack) != 0;
  n.timestamps = (bits_ & kTimestamps) != 0;
  n.tfo = (bits_ & kTfo) != 0;
  return n;
}

std::optional<uint16_t> SynFacts::ip_id() const {
  return (bits_ & kIpId) != 0 ? std::optional<uint16_t>(ip_id_) : std::nullopt;
}

std::optional<uint32_t> SynFacts::tsval() const {
  return (bits_ & kTimestamps) != 0 ? std::optional<uint32_t>(tsval_)
                                    : std::nullopt;
}

const SideRare Side::kNoRare;
const ConnectionRare Connection::kNoRare;

Connection::Connection(uint64_t id, const FlowKey& key, bool client_is_low,
                       RoleRule role_rule, bool mid_stream,
                       const ConnectionOptions& options)
    : key_(key),
      id_(id),
      client_is_low_(client_is_low),
      mid_stream_(mid_stream),
      role_rule_(role_rule),
      options_(&options) {
  if (options.ladder != nullptr) {
    mutable_rare().ladder = std::make_unique<LadderRecorder>(*options.ladder);
  }
}

void Connection::OnSegment(const TcpSegment& seg, bool from_client,
                           const SegmentContext& ctx) {
  Side& x = from_client ? client_ : server_;
  Side& y = from_client ? server_ : client_;
  if (first_packet_ == 0) {
    first_packet_ = ctx.packet;
    first_seen_ = ctx.t;
    if (!from_client) {
      zeek_.SetFlipped();  // Zeek's originator is the first sender
    }
  }
  last_packet_ = ctx.packet;
  last_seen_ = ctx.t;
  if (ladder()) {
    ladder()->Record(seg, from_client, ctx.packet, ctx.t);
  }
  ++x.packets;
  x.ip_bytes += seg.ip_total_len;
  if (IsDuplicate(seg, x, ctx.t)) {
    ++x.mutable_rare().duplicates;
    if (ladder()) {
      ladder()->MarkDuplicate(ctx.packet);
    }
    Flag(AnomalyKind::kDuplicatePacket, from_client, ctx);
    // The same packet captured twice tells the state machines nothing new;
    // Zeek, which does not tell duplicates apart, counts a retransmission.
    ZeekSegmentFacts zf;
    zf.is_retransmission = seg.payload_len > 0;
    zeek_.OnSegment(seg, from_client, zf);
    return;
  }
  const SegmentContext own_prev{x.last_packet, x.last_time};
  x.last_packet = ctx.packet;
  x.last_time = ctx.t;
  y.recent_peer_spoke = 0xF;  // its fingerprints so far precede this packet

  if (ladder()) {
    NoteLostOriginal(seg, x, y, from_client);
  }
  HandleRetractions(seg, x, ctx);
  if (seg.flags.ack()) {
    ConfirmReceipts(seg, x, y, own_prev, ctx);
  }
  RecordSends(seg, x, y, own_prev, ctx);
  if (seg.flags.ack() && !seg.flags.rst()) {
    AssumeReceipts(seg, y, ctx);
  }
  if (seg.flags.rst()) {
    HandleRst(seg, x, y, ctx);
  }
  const AnomalyKindSet kinds = ClassifySegment(seg, ctx.t, x.flow, y.flow);
  FeedRtt(seg, kinds, x, y, ctx.t);
  for (size_t k = 0; k < kNumAnomalyKinds; ++k) {
    if ((kinds & Bit(static_cast<AnomalyKind>(k))) != 0) {
      Flag(static_cast<AnomalyKind>(k), from_client, ctx);
    }
  }
  if (seg.payload_len > 0) {
    x.last_data_packet = ctx.packet;
    x.last_data_time = ctx.t;
    // Payload beyond the sender's own FIN (RFC 9293 3.10.4: no data may
    // follow CLOSE).
    if (x.fin_sent &&
        seg.seq.Plus(seg.payload_len).IsAfter(x.fin_seq)) {
      Flag(AnomalyKind::kDataAfterClose, from_client, ctx);
    }
  }
  const ZeekSegmentFacts zf = UpdateSequences(seg, x);
  zeek_.OnSegment(seg, from_client, zf);
  Refresh(ctx.t);
}

void Connection::FeedRtt(const TcpSegment& seg, AnomalyKindSet kinds,
                         Side& x, Side& y, PackedTime t) {
  if (seg.flags.ack()) {
    y.rtt.OnAck(seg.ack, t);  // also on a RST: its ACK field still counts
  }
  if (seg.payload_len > 0 && !seg.flags.rst()) {  // RST data: diagnostics
    constexpr AnomalyKindSet kRepeatsOrProbes =
        Bit(AnomalyKind::kRetransmission) |
        Bit(AnomalyKind::kFastRetransmission) |
        Bit(AnomalyKind::kSpuriousRetransmission) |
        Bit(AnomalyKind::kKeepalive) | Bit(AnomalyKind::kZeroWindowProbe);
    // A SYN's payload (TCP Fast Open) starts one past the ISN; a FIN on
    // the data occupies one more sequence number, which the ACK covers.
    x.rtt.OnSent(seg.flags.syn() ? seg.seq.Plus(1) : seg.seq,
                 seg.payload_len + (seg.flags.fin() ? 1 : 0), t,
                 (kinds & kRepeatsOrProbes) != 0);
  }
}

// The sender's own behaviour can prove that an earlier assumption about what
// it received was wrong (RFC 9293 3.8.1: a sender retransmits only what was
// not acknowledged to it).
bool Connection::RetractAssumedAck(Side& x, EndpointEvent ack,
                                   PackedTime now) {
  // The sender retransmits what the ACK acknowledged, so the ACK never
  // reached it: an assumed (unconfirmed) receipt is taken back. Unless the
  // two crossed: a retransmission seen within a handshake round trip of
  // the ACK may have left before the ACK arrived.
  EventRecord ev;
  if (!x.events.Find(ack, &ev) || ev.confirmed) {
    return false;
  }
  const absl::Duration rtt = x.flow.irtt;
  if (rtt > absl::ZeroDuration() && absl::Time(now) - absl::Time(ev.t) < rtt) {
    return false;
  }
  SideRare& rare = x.mutable_rare();
  if (rare.lost_ack_packet == 0) {
    rare.lost_ack_packet = ev.packet;
  }
  if (ladder()) {
    ladder()->MarkLostAfterTap(ev.packet);
  }
  x.events.Erase(ack);
  return true;
}

void Connection::HandleRetractions(const TcpSegment& seg, Side& x,
                                   const SegmentContext& c) {
  const TcpFlags f = seg.flags;
  // A first SYN-ACK after a SYN of our own (simultaneous open, RFC 9293
  // 3.5 figure 7) answers the peer's SYN: it is not a retransmission.
  const bool first_syn_ack = f.syn() && f.ack() && !x.sent_syn_ack;
  if (f.syn() && f.ack()) {
    x.sent_syn_ack = true;
  }
  if (f.syn() && x.has_isn && seg.seq == x.isn && !first_syn_ack) {
    SideRare& rare = x.mutable_rare();
    ++rare.syn_retransmit_count;
    RememberPacket(rare.syn_retransmits, c.packet);
    NoteControlSent(x, c.t);
    if (RetractAssumedAck(x, E::kRecvAckOfSyn, c.t)) {
      ++rare.syn_ack_losses;
    }
  }
  if (f.fin() && x.fin_sent && seg.seq.Plus(seg.payload_len) == x.fin_seq) {
    SideRare& rare = x.mutable_rare();
    ++rare.fin_retransmit_count;
    RememberPacket(rare.fin_retransmits, c.packet);
    NoteControlSent(x, c.t);
    if (RetractAssumedAck(x, E::kRecvAckOfFin, c.t)) {
      ++rare.fin_ack_losses;
    }
  }
  // A RST it got would have closed it; a RST it sent would have too. The
  // RST was lost after the tap, not acceptable to it, or not sent by the
  // endpoint it claims to come from: flagged as ignored / injected. A
  // retransmitted SYN (its ISN again) proves the same.
  const bool retransmitted_syn = f.syn() && x.has_isn && seg.seq == x.isn;
  if (!f.rst() && (!f.syn() || retransmitted_syn)) {
    RetractRsts(x);
  }
}

void Connection::RetractRsts(Side& x) {
  for (E kind : {E::kRecvRst, E::kSendRst}) {
    EventRecord ev;
    if (!x.events.Find(kind, &ev)) {
      continue;
    }
    SideRare& rare = x.mutable_rare();
    uint64_t& note = kind == E::kRecvRst ? rare.ignored_rst_packet
                                         : rare.forged_rst_packet;
    if (note == 0) {
      note = ev.packet;
    }
    if (kind == E::kRecvRst && rare.lost_rst_time == absl::Time()) {
      rare.lost_rst_time = ev.t;
    }
    x.events.Erase(kind);
    // Against the endpoint the RST claims to come from; once per RST.
    const bool rst_from_client = (&x == &client_) == (kind == E::kSendRst);
    if (!Flagged(AnomalyKind::kRstIgnored, ev.packet)) {
      Flag(AnomalyKind::kRstIgnored, rst_from_client,
           SegmentContext{ev.packet, ev.t});
    }
  }
}

absl::Time Connection::RetractRstBySynRetransmission(const TcpSegment& seg,
                                                     bool from_client) {
  Side& x = from_client ? client_ : server_;
  if (!seg.flags.syn() || seg.flags.ack() || !x.has_isn || seg.seq != x.isn) {
    return absl::Time();
  }
  RetractRsts(x);
  return x.rare().lost_rst_time;
}

void Connection::InheritLostRst(bool client, absl::Time t) {
  if (t != absl::Time()) {
    (client ? client_ : server_).mutable_rare().lost_rst_time = t;
  }
}

// The ACK field proves what the sender has received (RFC 9293 3.4: the
// acknowledgment number is the next sequence number expected).
void Connection::ConfirmReceipts(const TcpSegment& seg, Side& x, Side& y,
                                 const SegmentContext& own_prev,
                                 const SegmentContext& proof) {
  // When did x get it? After the peer sent it and after x's previous
  // segment (which did not acknowledge it); the path delivers the peer's
  // segments in order, so before anything the peer sent later. The ACK that
  // proves it comes later still.
  auto received = [&](E kind, uint64_t peer_packet, PackedTime peer_t) {
    const bool after_own = own_prev.packet > peer_packet;
    EventRecord ev =
        MakeEvent(kind, after_own ? own_prev.packet : peer_packet,
                  after_own ? own_prev.t : peer_t, kOrderAfterPacket);
    ev.proof_packet = proof.packet;
    x.events.Add(ev);
  };
  if (y.has_isn && seg.ack.IsAfter(y.isn) && !x.events.Has(E::kRecvSyn)) {
    received(E::kRecvSyn, y.syn_packet(), y.syn_time());
  }
  if (y.fin_sent && seg.ack.IsAfter(y.fin_seq) &&
      !x.events.Has(E::kRecvFin)) {
    received(E::kRecvFin, y.fin_packet(), y.fin_time());
  }
  // This side ACKing a segment that carried an assumed event proves it.
  x.events.ConfirmUpTo(seg.ack);
}

void Connection::RecordSends(const TcpSegment& seg, Side& x, Side& y,
                             const SegmentContext& own_prev,
                             const SegmentContext& c) {
  const TcpFlags f = seg.flags;
  // A bare ACK one past everything x sent: x sent a FIN the capture never
  // saw (lost before the tap; RFC 9293 3.4: the FIN occupies one sequence
  // number, and later segments carry SND.NXT past it). It was sent after
  // x's previous segment here: after x's receipt of y's FIN if an earlier
  // segment acknowledged that (CLOSE_WAIT, then LAST_ACK), before it if
  // this one is the first to (FIN_WAIT_1, then CLOSING: a CLOSE_WAIT
  // endpoint acknowledges the FIN before it closes).
  if (!f.syn() && !f.fin() && !f.rst() && f.ack() && seg.payload_len == 0 &&
      !x.fin_sent && x.seq_known && x.events.Has(E::kSendAck) &&
      seg.seq == x.max_end.Plus(1)) {
    // y retransmitting its FIN first says the same: x's ACK of it rode on
    // the lost FIN (a delayed ACK joins the FIN that follows close()).
    EventRecord got;
    const bool got_fin_before =
        (x.events.Find(E::kRecvFin, &got) && got.proof_packet != c.packet) ||
        (y.fin_sent && y.rare().fin_retransmit_count > 0);
    const SegmentContext& at =
        got_fin_before || own_prev.packet == 0 ? c : own_prev;
    x.fin_sent = true;
    x.fin_seq = x.max_end;
    x.fin_order_unsure = y.fin_sent;
    x.events.Add(MakeEvent(E::kSendFin, at.packet, at.t, 3));
    NoteControlSent(x, at.t);
  }
  if (f.syn()) {
    ++x.syns;
    if (!x.has_isn) {
      x.has_isn = true;
      x.isn = seg.seq;
      x.syn.Note(seg);
      x.events.Add(
          MakeEvent(f.ack() ? E::kSendSynAck : E::kSendSyn, c.packet, c.t, 2));
      NoteControlSent(x, c.t);
    }
  } else if (f.ack() && !f.rst() && !x.events.Has(E::kSendAck)) {
    x.events.Add(MakeEvent(E::kSendAck, c.packet, c.t, 2));
  }
  if (f.fin()) {
    ++x.fins;
    if (!x.fin_sent) {
      x.fin_sent = true;
      x.fin_seq = seg.seq.Plus(seg.payload_len + (f.syn() ? 1 : 0));
      x.events.Add(MakeEvent(E::kSendFin, c.packet, c.t, 3));
      NoteControlSent(x, c.t);
      FinSentBeforePeerFin(seg, x, y, c);
    }
  }
}

// x's FIN does not acknowledge y's FIN, yet an earlier segment here did: the
// path reordered them before the tap, and x sent its FIN before it got y's
// (its ACK field is filled at transmit time, and grows with sending order).
// Its receipt of y's FIN moves after its FIN: FIN_WAIT_1, then CLOSING
// (RFC 9293 3.10.7.4), not CLOSE_WAIT then LAST_ACK.
void Connection::FinSentBeforePeerFin(const TcpSegment& seg, Side& x,
                                      const Side& y, const SegmentContext& c) {
  EventRecord got;
  if (!seg.flags.ack() || !y.fin_sent || seg.ack.IsAfter(y.fin_seq) ||
      !x.events.Find(E::kRecvFin, &got) || got.packet >= c.packet) {
    return;
  }
  x.events.Erase(E::kRecvFin);
  EventRecord moved = MakeEvent(E::kRecvFin, c.packet, c.t, 6);
  moved.proof_packet = got.proof_packet;
  x.events.Add(moved);
}

// The ACK field also tells the peer that its SYN/FIN arrived; the peer's
// receipt of this segment is assumed until its behaviour says otherwise.
void Connection::AssumeReceipts(const TcpSegment& seg, Side& y,
                                const SegmentContext& c) {
  const uint32_t len =
      seg.payload_len + (seg.flags.syn() ? 1 : 0) + (seg.flags.fin() ? 1 : 0);
  auto assume = [&](E kind, uint32_t losses) {
    EventRecord ev = MakeEvent(kind, c.packet, c.t, 4);
    ev.assumed = true;
    // Without a loss before (no rare facts) it counts at once.
    const absl::Time from = AssumptionValidFrom(y, losses, c.t);
    if (y.has_rare()) {
      AssumptionTimes& valid = y.mutable_rare().valid_from;
      (kind == E::kRecvAckOfSyn ? valid.ack_of_syn : valid.ack_of_fin) = from;
    }
    if (len > 0) {
      ev.has_confirm_seq = true;
      ev.confirm_seq = seg.seq.Plus(len);
    }
    y.events.Add(ev);
  };
  if (y.has_isn && seg.ack.IsAfter(y.isn) &&
      !y.events.Has(E::kRecvAckOfSyn)) {
    assume(E::kRecvAckOfSyn, y.rare().syn_ack_losses);
  }
  if (y.fin_sent && seg.ack.IsAfter(y.fin_seq) &&
      !y.events.Has(E::kRecvAckOfFin)) {
    assume(E::kRecvAckOfFin, y.rare().fin_ack_losses);
  }
}

ZeekSegmentFacts Connection::UpdateSequences(const TcpSegment& seg, Side& x) {
  ZeekSegmentFacts zf;
  const TcpFlags f = seg.flags;
  const SeqNum data_begin = seg.seq.Plus(f.syn() ? 1 : 0);
  const SeqNum data_end = data_begin.Plus(seg.payload_len);
  const SeqNum end = data_end.Plus(f.fin() ? 1 : 0);
  if (!x.seq_known) {
    x.seq_known = true;
    x.max_end = f.syn() ? seg.seq : data_begin;
  }
  if (seg.payload_len > 0) {
    // Payload that does not advance the highest byte sent is a
    // retransmission (Zeek's "t", Wireshark's "seq < nextseq").
    if (data_end.IsBeforeOrEqual(x.max_end)) {
      zf.is_retransmission = true;
    } else {
      // Bytes by sequence space, as Zeek counts them: what the sender sent,
      // including bytes the capture never saw (counted apart as missed).
      if (data_begin.IsAfter(x.max_end)) {
        x.mutable_rare().missed_bytes += x.max_end.ForwardDistanceTo(data_begin);
      }
      x.data_progress += x.max_end.ForwardDistanceTo(data_end);
      zf.is_gap = data_begin.IsAfter(x.max_end) && x.packets > 1 && !f.syn();
    }
  }
  // An RST occupies no sequence space (RFC 9293 3.4), and a forged one may
  // carry any number: only other segments advance what was sent.
  if (!f.rst() && end.IsAfter(x.max_end)) {
    x.max_end = end;
  }
  if (f.ack()) {
    if (!x.has_ack || seg.ack.IsAfter(x.max_ack)) {
      x.max_ack = seg.ack;
    }
    x.has_ack = true;
  }
  return zf;
}

void Connection::Flag(AnomalyKind kind, bool client, const SegmentContext& c) {
  AnomalyTally* t = nullptr;
  std::vector<AnomalyTally>& tallies = mutable_rare().tallies;
  for (AnomalyTally& existing : tallies) {
    if (existing.kind == kind && existing.client == client) {
      t = &existing;
    }
  }
  if (t == nullptr) {
    tallies.emplace_back();
    t = &tallies.back();
    t->kind = kind;
    t->client = client;
    t->first_packet = c.packet;
    t->first_t = c.t;
  }
  ++t->count;
  if (ladder()) {
    ladder()->MarkAnomaly(c.packet, kind);
  }
  t->last_packet = c.packet;
  t->last_t = c.t;
  RememberPacket(t->packets, c.packet);
}

bool Connection::Flagged(AnomalyKind kind, uint64_t packet) const {
  for (const AnomalyTally& t : rare().tallies) {
    if (t.kind == kind &&
        std::find(t.packets.begin(), t.packets.end(), packet) !=
            t.packets.end()) {
      return true;
    }
  }
  return false;
}

bool Connection::IsDuplicate(const TcpSegment& seg, Side& x, PackedTime t) {
  // IPv4 identification changes with every packet a Linux/BSD/Windows stack
  // sends, retransmissions included; the TCP timestamp too when in use.
  // Stacks send some packets with ID 0 (Linux SYN-ACKs) and may repeat a
  // timestamp on a quick retransmission: then only a copy within
  // kDuplicateWindow counts, far below any retransmission timeout.
  if (seg.ip_id == 0 && !seg.options.timestamps) {
    return false;  // nothing tells a duplicate from a retransmission
  }
  uint64_t h = seg.seq.value();
  h = h * 1000003u ^ seg.ack.value();
  h = h * 1000003u ^ seg.flags.bits;
  h = h * 1000003u ^ seg.payload_len;
  h = h * 1000003u ^ seg.window;
  h = h * 1000003u ^ seg.ip_id;
  if (seg.options.timestamps) {
    h = h * 1000003u ^ seg.options.timestamps->value;
  }
  if (h == 0) {
    h = 1;  // 0 marks an empty slot
  }
  const uint32_t ns = LowNanos(t);
  for (size_t i = 0; i < x.recent_hash.size(); ++i) {
    // With IP ID 0 (Linux SYN-ACKs, some stacks' DF packets) only an exact
    // copy moments later, with nothing from the peer in between, counts.
    const bool peer_spoke = (x.recent_peer_spoke & (1u << i)) != 0;
    if (x.recent_hash[i] == h &&
        (seg.ip_id != 0 ||
         (static_cast<int32_t>(ns - x.recent_ns[i]) <= kDuplicateWindowNanos &&
          !peer_spoke))) {
      return true;
    }
  }
  x.recent_hash[x.recent_next] = h;
  x.recent_ns[x.recent_next] = ns;
  x.recent_peer_spoke =
      static_cast<uint8_t>(x.recent_peer_spoke & ~(1u << x.recent_next));
  x.recent_next =
      static_cast<uint8_t>((x.recent_next + 1) % x.recent_hash.size());
  return false;
}

// An endpoint that stopped retransmitting an unanswered SYN or SYN-ACK has
// given up (or, for a SYN-ACK, answered with a SYN cookie and kept no
// state): CLOSED once it stayed silent past its back-off. Returns the time
// that happens, or InfiniteFuture when `state` is not such a handshake.
absl::Time Connection::GiveUpTime(const Side& s, TcpState state) const {
  const absl::Time silent = SilenceGiveUpTime(s, state);
  if (silent == absl::InfiniteFuture() || s.rare().syn_retransmit_count == 0) {
    return silent;
  }
  // It retransmitted, so it keeps state (no SYN cookie): it gives up no
  // sooner than Linux's schedule says, whose next retransmission may not
  // have been due before the capture ended.
  return std::max(silent, LinuxHandshakeGiveUp(s.syn_time(), s.last_control_sent,
                                               state == TcpState::kSynSent));
}

absl::Time Connection::SilenceGiveUpTime(const Side& s, TcpState state) const {
  const bool handshaking =
      state == TcpState::kSynSent ||
      (state == TcpState::kSynReceived && s.events.Has(E::kSendSynAck));
  if (!handshaking || s.last_control_sent == absl::Time()) {
    return absl::InfiniteFuture();
  }
  return s.last_control_sent +
         std::max(kSilenceProof, BackOff(s.rare().last_control_gap));
}

absl::Time LinuxHandshakeGiveUp(absl::Time first, absl::Time last, bool syn) {
  // RFC 6298 2.1/5.5: initial RTO 1 s, doubled at each retransmission:
  // retransmissions 1, 3, 7, 15, 31 (, 63) s after the first; Linux gives
  // up after tcp_synack_retries = 5 (a SYN-ACK) or tcp_syn_retries = 6 (a
  // SYN) retransmissions, one back-off after the last.
  const int retries = syn ? 6 : 5;
  const absl::Duration elapsed = last - first;
  for (int k = 1; k <= retries + 1; ++k) {
    const absl::Duration gap = absl::Seconds(int64_t{1} << (k - 1));
    const absl::Duration due = absl::Seconds((int64_t{1} << k) - 1);
    // A retransmission seen up to a quarter of its gap late counts as the
    // one due; one well before it answered a retransmitted SYN instead.
    if (due > elapsed + gap / 4) {
      // The last "due" is when it drops the connection: nothing to wait for.
      return k > retries ? first + due
                         : first + due + std::max(absl::Seconds(1), gap / 2);
    }
  }
  return last + kSilenceProof;
}

ReplayResult Connection::Evaluate(const Side& s, absl::Time now) const {
  const EndpointEvents::Sorted events = s.events.InOrder();
  ReplayResult r = Replay(events, now, options_->time_wait, s.rare().valid_from);
  const absl::Time give_up = GiveUpTime(s, r.state);
  if (now >= give_up) {
    r.state = TcpState::kClosed;
    r.steps.push_back({TcpState::kClosed, 0, give_up, -1});
  }
  return r;
}

// The state alone, as Evaluate gives it, with the window of capture time
// in which it holds. Where the events since the last fold were only
// appended after the others, the fold continues from the last one's state
// before timers: the same result, since with every assumed receipt valid
// from the start (no loss proven) nothing before the timers depends on
// `now`. Otherwise it starts over.
TcpState Connection::EvaluateState(Side& s, absl::Time now,
                                   TimerWindow& window) const {
  const auto no_step = [](TcpState, int, const EndpointEvents::Light*,
                          absl::Time) {};
  const AssumptionTimes& valid_from = s.rare().valid_from;
  const bool always_valid = valid_from.AlwaysValid();
  ReplayContext ctx;
  TcpState state = TcpState::kUnknown;
  EndpointEvents::LightSorted events;
  if (always_valid && s.fold_continues && s.events.AppendedInOrder(&events)) {
    state = s.event_state;
    ctx.own_syn_acked = s.fold_own_syn_acked;
  } else {
    events = s.events.LightInOrder();
  }
  state = FoldFrom(events, state, ctx, now, valid_from, window, no_step);
  // A TIME_WAIT start is not kept: such a fold starts over.
  s.fold_continues = always_valid && state != TcpState::kTimeWait;
  s.event_state = state;
  s.fold_own_syn_acked = ctx.own_syn_acked;
  state = ExpireTimeWait<EndpointEvents::Light>(
      state, ctx, now, options_->time_wait, window, no_step);
  const absl::Time give_up = GiveUpTime(s, state);
  if (give_up != absl::InfiniteFuture()) {
    window.Note(give_up, now);
    if (now >= give_up) {
      state = TcpState::kClosed;
    }
  }
  return state;
}

// Folds the states again where something changed: an endpoint's events, or
// capture time leaving the window in which both states hold. The window
// kept is always within every side's own (narrowed when one side is folded
// alone), so a state is never kept past a timer.
void Connection::Refresh(PackedTime packed_now) {
  // Compared packed (every segment asks): inside [eval_from_, eval_until_).
  const bool stale = !(eval_from_ <= packed_now && packed_now < eval_until_);
  const bool fold_client = stale || client_.events.dirty();
  const bool fold_server = stale || server_.events.dirty();
  if (!fold_client && !fold_server) {
    return;
  }
  const absl::Time now = packed_now;
  TimerWindow w;
  if (!stale) {
    w = TimerWindow{eval_from_, eval_until_};
  }
  for (Side* side : {&client_, &server_}) {
    if (side == &client_ ? fold_client : fold_server) {
      side->state = EvaluateState(*side, now, w);
      side->events.ClearDirty();
    }
  }
  eval_from_ = w.from;
  eval_until_ = w.until;
  assured_ = assured_ || (IsSynchronized(client_.state) &&
                          IsSynchronized(server_.state));
}

// One endpoint's state at `now` (the RST's receiver, at its packet). When
// the window no longer holds, the other side is left to the next Refresh.
void Connection::RefreshSide(Side& s, absl::Time now) {
  TimerWindow w{eval_from_, eval_until_};
  const bool stale = !w.Contains(now);
  if (!stale && !s.events.dirty()) {
    return;
  }
  if (stale) {
    w = TimerWindow{};
  }
  s.state = EvaluateState(s, now, w);
  s.events.ClearDirty();
  if (!stale) {
    eval_from_ = w.from;
    eval_until_ = w.until;
  }
}

void Connection::EndTimeWaitForReuse(const SegmentContext& ctx) {
  for (Side* s : {&client_, &server_}) {
    Refresh(ctx.t);
    if (s->state == TcpState::kTimeWait) {
      s->events.Add(MakeEvent(E::kReplaced, ctx.packet, ctx.t, 5));
    }
  }
  Refresh(ctx.t);
}

}  // namespace tcpstate
