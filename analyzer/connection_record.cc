// RST acceptability and the conversion of a tracked connection to its
// report record with the "how it got there" notes.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/connection.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;
using S = TcpState;

constexpr size_t kMaxTimeline = 32;

// RFC 9293 3.10.7.3 (SYN-SENT) and RFC 5961 3.2 / RFC 9293 3.10.7.4: in a
// synchronized state only a RST whose sequence number is exactly RCV.NXT
// resets the connection; any other is dropped or draws a challenge ACK.
// RCV.NXT is not visible on the wire: the candidates are what the sender has
// sent (its highest sequence number) and what the receiver last ACKed.
bool RstAcceptable(const TcpSegment& seg, const Side& x, const Side& y,
                   S receiver_state) {
  if (receiver_state == S::kSynSent) {
    return seg.flags.ack() && y.has_isn && seg.ack == y.isn.Plus(1);
  }
  if (receiver_state == S::kUnknown || receiver_state == S::kClosed ||
      receiver_state == S::kListen) {
    return true;  // nothing to check against; a closed endpoint ignores it
  }
  // Linux also accepts RCV.NXT - 1 once the peer's FIN was received
  // (tcp_reset_check), i.e. a RST sent at the FIN's sequence number.
  const bool fin_received =
      receiver_state == S::kCloseWait || receiver_state == S::kClosing ||
      receiver_state == S::kLastAck || receiver_state == S::kTimeWait;
  auto matches = [&](SeqNum rcv_nxt) {
    if (seg.seq == rcv_nxt) {
      return true;
    }
    if (fin_received && seg.seq == rcv_nxt.Minus(1)) {
      return true;
    }
    if (receiver_state == S::kSynReceived) {
      // RFC 9293 3.10.7.4: in SYN-RECEIVED any in-window RST is accepted.
      return seg.seq.InRange(rcv_nxt, rcv_nxt.Plus(65535));
    }
    return false;
  };
  if (x.seq_known && matches(x.max_end)) {
    return true;
  }
  return y.has_ack && matches(y.max_ack);
}

// What took an endpoint to CLOSED, ranked: a reset says more than a
// replacement by a new connection, which says more than a timer or a close.
enum class ClosedBy : uint8_t { kNotClosed, kClose, kTimeWait, kReplaced, kRst };

ClosedBy ClosedByOf(const ReplayResult& r) {
  if (r.state != S::kClosed || r.steps.empty()) {
    return ClosedBy::kNotClosed;
  }
  const ReplayResult::Step& last = r.steps.back();
  if (last.event_index < 0) {  // a timer: TIME_WAIT ran out, or a give-up
    const size_t n = r.steps.size();
    return n >= 2 && r.steps[n - 2].state == S::kTimeWait ? ClosedBy::kTimeWait
                                                           : ClosedBy::kClose;
  }
  switch (last.event) {
    case E::kSendRst:
    case E::kRecvRst:
      return ClosedBy::kRst;  // RFC 9293 3.10.7: an accepted RST
    case E::kReplaced:
      return ClosedBy::kReplaced;  // RFC 6191: a new SYN ended TIME_WAIT
    case E::kSendSyn:
    case E::kSendSynAck:
    case E::kSendAck:
    case E::kSendFin:
    case E::kRecvSyn:
    case E::kRecvFin:
    case E::kRecvAckOfSyn:
    case E::kRecvAckOfFin:
      return ClosedBy::kClose;
  }
  return ClosedBy::kClose;
}

// The end reason follows from the endpoints' own steps when both reached
// CLOSED; otherwise the flow table's cause (capture end, idle timeout, a
// new connection on the 4-tuple, eviction) stands.
EndReason DeriveEndReason(const ReplayResult& cr, const ReplayResult& sr,
                          EndReason cause) {
  const ClosedBy a = ClosedByOf(cr);
  const ClosedBy b = ClosedByOf(sr);
  if (a == ClosedBy::kNotClosed || b == ClosedBy::kNotClosed) {
    return cause;
  }
  switch (std::max(a, b)) {
    case ClosedBy::kRst:
      return EndReason::kReset;
    case ClosedBy::kReplaced:
      return EndReason::kPortReuse;
    case ClosedBy::kTimeWait:
      return EndReason::kTimeWaitExpired;
    case ClosedBy::kClose:
    case ClosedBy::kNotClosed:
      return EndReason::kClosed;
  }
  return EndReason::kClosed;
}

bool FindEventAt(const Side& s, E kind, uint64_t packet) {
  return s.events.HasAt(kind, packet);
}

std::string PacketNumbers(const PacketList& list, uint32_t total) {
  std::string out = absl::StrJoin(list, ",");
  if (total > list.size()) {
    absl::StrAppend(&out, ",...");
  }
  return out;
}

EndpointRecord BuildEndpoint(const Endpoint4& ep, const Side& s,
                             const ReplayResult& r,
                             bool mid_stream, absl::Time now,
                             const Side& peer) {
  EndpointRecord e;
  e.addr = ep.addr;
  e.port = ep.port;
  e.state = r.state;
  if (s.has_isn) {
    e.isn = s.isn.value();
    e.isn_time = s.syn_time();
    e.isn_packet = s.syn_packet();
    e.syn_ip_id = s.syn.ip_id();
    e.syn_tsval = s.syn.tsval();
  }
  e.packets = s.packets;
  e.payload_bytes = s.data_progress;
  e.missed_bytes = s.rare().missed_bytes;
  e.ip_bytes = s.ip_bytes;
  e.syns = s.syns;
  e.fins = s.fins;
  e.rsts = s.rsts;
  e.options = s.syn.options();
  if (s.rtt.samples() > 0) {
    e.rtt = {s.rtt.samples(), s.rtt.min(), s.rtt.mean(), s.rtt.max(),
             s.rtt.stddev()};
  }
  for (const ReplayResult::Step& st : r.steps) {
    if (e.timeline.size() == kMaxTimeline) {
      break;
    }
    e.timeline.push_back({st.t, st.packet, st.state});
  }
  // How sure: proven by the endpoint's own packets, or resting on a
  // receipt we assume, or unknown.
  e.certainty = Certainty::kConfirmed;
  if (r.state == S::kUnknown) {
    e.certainty = Certainty::kUnknown;
  } else if (!r.steps.empty()) {
    const ReplayResult::Step& ev = r.steps.back();
    if (ev.event_index < 0) {
      e.certainty = Certainty::kInferred;
    } else {
      if (ev.unconfirmed && now - ev.t < kSilenceProof) {
        e.certainty = Certainty::kInferred;
      }
      if (mid_stream && (ev.event == E::kSendAck || ev.event == E::kRecvFin ||
                         ev.event == E::kSendFin)) {
        e.certainty = Certainty::kInferred;
      }
    }
  }
  const bool has_recv_fin = s.events.Has(E::kRecvFin);
  if (peer.fin_sent && !has_recv_fin && IsSynchronized(r.state)) {
    e.certainty = Certainty::kInferred;  // the peer's FIN may have arrived
  }
  return e;
}

// Notes about one endpoint's FIN: retransmissions, and ACKs proven lost.
void AddFinNotes(const Side& s, S state, const char* name,
                 const char* peer_name, std::vector<std::string>& notes) {
  if (s.rare().fin_ack_losses > 0) {
    const std::string head = absl::StrFormat(
        "%s FIN (pkt %d) ACKed by %s (pkt %d), yet %s retransmitted FIN %d× "
        "(pkts %s)",
        name, s.fin_packet(), peer_name, s.rare().lost_ack_packet, name,
        s.rare().fin_retransmit_count,
        PacketNumbers(s.rare().fin_retransmits, s.rare().fin_retransmit_count));
    if (state == S::kFinWait1 || state == S::kClosing || state == S::kLastAck) {
      notes.push_back(absl::StrFormat(
          "%s: the ACK never reached the %s; it is still in %s.", head, name,
          TcpStateName(state)));
    } else {
      notes.push_back(absl::StrCat(
          head,
          ": an ACK was lost after the capture point; a later one got "
          "through."));
    }
  } else if (s.fin_sent && s.rare().fin_retransmit_count > 0) {
    notes.push_back(absl::StrFormat(
        "%s retransmitted its FIN (pkt %d) %d× (pkts %s) before it was "
        "acknowledged.",
        name, s.fin_packet(), s.rare().fin_retransmit_count,
        PacketNumbers(s.rare().fin_retransmits, s.rare().fin_retransmit_count)));
  }
}

// Notes about one endpoint's SYN or SYN-ACK retransmissions.
void AddSynNotes(const Side& s, const Side& peer, S state, const char* name,
                 const char* peer_name, std::vector<std::string>& notes) {
  if (s.rare().syn_ack_losses > 0) {
    notes.push_back(absl::StrFormat(
        "%s's SYN was ACKed by %s (pkt %d), yet %s retransmitted it %d× "
        "(pkts %s): that ACK never reached the %s%s.",
        name, peer_name, s.rare().lost_ack_packet, name, s.rare().syn_retransmit_count,
        PacketNumbers(s.rare().syn_retransmits, s.rare().syn_retransmit_count), name,
        state == S::kSynReceived ? "; it is still in SYN_RECEIVED" : ""));
  } else if (s.rare().syn_retransmit_count > 0 && state == S::kSynSent) {
    notes.push_back(absl::StrFormat(
        "%s retransmitted its SYN %d× (pkts %s)%s.", name,
        s.rare().syn_retransmit_count,
        PacketNumbers(s.rare().syn_retransmits, s.rare().syn_retransmit_count),
        peer.has_isn
            ? absl::StrCat(" although ", peer_name,
                           " answered: the SYN-ACK never reached the ", name)
            : ": no answer in the capture"));
  }
}

// Notes about RSTs it ignored or never sent, and the peer's unACKed FIN.
void AddRstAndFinReceiptNotes(const Side& s, const Side& peer, S state,
                              const char* name, const char* peer_name,
                              std::vector<std::string>& notes) {
  if (s.rare().forged_rst_packet != 0) {
    notes.push_back(absl::StrFormat(
        "RST (pkt %d) claims to come from the %s, but the %s kept sending: "
        "its stack did not send it (spoofed or injected).",
        s.rare().forged_rst_packet, name, name));
  }
  if (s.rare().ignored_rst_packet != 0) {
    notes.push_back(absl::StrFormat(
        "RST (pkt %d) to the %s was not acceptable (sequence number is not "
        "the next expected, RFC 5961 3.2): the %s ignored it and the "
        "connection went on.",
        s.rare().ignored_rst_packet, name, name));
  }
  if (peer.fin_sent && state != S::kClosed) {
    if (!s.events.Has(E::kRecvFin)) {
      notes.push_back(absl::StrFormat(
          "%s FIN (pkt %d) was never acknowledged by the %s in the capture: "
          "the %s may not have received it.",
          peer_name, peer.fin_packet(), name, name));
    }
  }
}

}  // namespace

void SortAnomalies(std::vector<Anomaly>& anomalies) {
  std::sort(anomalies.begin(), anomalies.end(),
            [](const Anomaly& a, const Anomaly& b) {
              return std::tie(a.first_packet, a.kind, a.endpoint) <
                     std::tie(b.first_packet, b.kind, b.endpoint);
            });
}

void Connection::HandleRst(const TcpSegment& seg, Side& x, Side& y,
                           const SegmentContext& c) {
  ++x.rsts;
  RefreshSide(y, c.t);  // the receiver's state at the RST
  const bool acceptable = RstAcceptable(seg, x, y, y.state);
  if (!x.events.Has(E::kSendRst)) {
    x.events.Add(MakeEvent(E::kSendRst, c.packet, c.t, 3));
  }
  // A new acceptable RST replaces facts about one that later traffic
  // disproved.
  const bool previous_stands =
      rare().rst &&
      (FindEventAt(rare().rst->from_client ? client_ : server_, E::kSendRst,
                   rare().rst->packet) ||
       FindEventAt(rare().rst->from_client ? server_ : client_, E::kRecvRst,
                   rare().rst->packet));
  if (acceptable && !previous_stands) {
    RstFacts r;
    r.packet = c.packet;
    r.t = c.t;
    r.from_client = &x == &client_;
    r.carried_data = seg.payload_len > 0;
    r.sender_state = x.state;
    r.receiver_state = y.state;
    r.unacked_bytes = static_cast<uint32_t>(UnacknowledgedBy(y, x));
    mutable_rare().rst = r;
  }
  if (acceptable) {
    EventRecord ev = MakeEvent(E::kRecvRst, c.packet, c.t, 4);
    ev.assumed = true;
    if (y.has_rare() && y.rare().lost_rst_time != absl::Time()) {
      // This path lost an RST to y (y kept sending): this one counts only
      // once y stayed silent past its next retransmission, whose back-off
      // has grown about as long as y has been retransmitting since.
      const absl::Duration retrying = c.t - y.rare().lost_rst_time;
      y.mutable_rare().valid_from.rst =
          absl::Time(c.t) + std::max(kSilenceProof, retrying * 5 / 2);
    }
    y.events.Add(ev);
  } else {
    SideRare& rare = y.mutable_rare();
    if (rare.ignored_rst_packet == 0) {
      rare.ignored_rst_packet = c.packet;
    }
    if (!Flagged(AnomalyKind::kRstIgnored, c.packet)) {
      Flag(AnomalyKind::kRstIgnored, &x == &client_, c);
    }
  }
}

void Connection::AddNotes(const Side& s, const Side& peer, const char* name,
                          const char* peer_name, ConnectionRecord& rec) const {
  const S state = (&s == &client_ ? rec.client.state : rec.server.state);
  AddFinNotes(s, state, name, peer_name, rec.notes);
  AddSynNotes(s, peer, state, name, peer_name, rec.notes);
  AddRstAndFinReceiptNotes(s, peer, state, name, peer_name, rec.notes);
}

ConnectionRecord Connection::ToRecord(absl::Time now, EndReason cause) const {
  ConnectionRecord rec;
  rec.id = id_;
  rec.first_seen = first_seen_;
  rec.last_seen = last_seen_;
  rec.first_packet = first_packet_;
  rec.last_packet = last_packet_;
  const ReplayResult cr = Evaluate(client_, now);
  const ReplayResult sr = Evaluate(server_, now);
  rec.client = BuildEndpoint(client_ep(), client_, cr, mid_stream_, now, server_);
  rec.server = BuildEndpoint(server_ep(), server_, sr, mid_stream_, now, client_);
  // Never confirmed where the capture allows another state.
  rec.client.possible_states = PossibleStatesOf(client_, server_, cr, now);
  rec.server.possible_states = PossibleStatesOf(server_, client_, sr, now);
  for (EndpointRecord* e : {&rec.client, &rec.server}) {
    const ReplayResult& r = e == &rec.client ? cr : sr;
    if (!e->possible_states.empty()) {
      e->certainty = Certainty::kInferred;
    } else if (!r.steps.empty() && r.steps.back().event_index < 0) {
      // A timer that every known stack's timers have passed (TIME_WAIT
      // beyond 240 s, a handshake beyond Linux's retries): nothing else is
      // possible.
      e->certainty = Certainty::kConfirmed;
    }
  }
  rec.conn_state =
      zeek_.ConnState(client_.data_progress, server_.data_progress);
  rec.history = std::string(zeek_.history());
  rec.mid_stream = mid_stream_;
  rec.role_rule = role_rule_;
  rec.end_reason = DeriveEndReason(cr, sr, cause);
  // FlowDirection copies the handshake round trip into both directions.
  if (client_.flow.irtt > absl::ZeroDuration()) {
    rec.handshake_rtt = client_.flow.irtt;
  }
  if (mid_stream_) {
    rec.notes.push_back(absl::StrCat(
        "No SYN seen: the capture started mid-connection; roles by rule '",
        RoleRuleName(role_rule_), "', states inferred from the traffic."));
  }
  AddNotes(client_, server_, "client", "server", rec);
  AddNotes(server_, client_, "server", "client", rec);
  AddTallies(rec);
  AddLifecycleAnomalies(now, rec);
  AddLadder(rec);
  SortAnomalies(rec.anomalies);
  for (const EndpointRecord* e : {&rec.client, &rec.server}) {
    const char* name = e == &rec.client ? "client" : "server";
    const size_t n = e->timeline.size();
    if (n < 2 || e->timeline.back().packet != 0 || e->state != S::kClosed) {
      continue;
    }
    const S before = e->timeline[n - 2].state;
    if (before == S::kTimeWait) {
      rec.notes.push_back(absl::StrFormat(
          "the %s's TIME_WAIT (%s) ran out in capture time: it is CLOSED.",
          name, absl::FormatDuration(options_->time_wait)));
    } else {
      rec.notes.push_back(absl::StrFormat(
          "the %s stopped retransmitting its unanswered %s: it gave up or "
          "kept no state (a SYN cookie, or a raw-socket scanner); CLOSED.",
          name, before == S::kSynSent ? "SYN" : "SYN-ACK"));
    }
  }
  for (const Side* s : {&client_, &server_}) {
    if (s->rare().duplicates > 0) {
      rec.notes.push_back(absl::StrFormat(
          "%d packet(s) from the %s were captured twice (same IP ID, "
          "sequence, length): duplicates, not retransmissions.",
          s->rare().duplicates, s == &client_ ? "client" : "server"));
    }
  }
  return rec;
}

}  // namespace tcpstate
