// The anomalies of a connection as a whole, judged when its record is
// written: stuck closing states, failed handshakes, RST teardown, and the
// per-segment tallies turned into records.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/connection.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;
using K = AnomalyKind;
using S = TcpState;

// Below this, a handshake with no retransmission may simply have been cut
// off by the end of the capture.
constexpr absl::Duration kHandshakeVerdictAfter = absl::Seconds(3);

std::optional<EventRecord> Find(const Side& s, E kind) {
  EventRecord ev;
  if (!s.events.Find(kind, &ev)) {
    return std::nullopt;
  }
  return ev;
}

double Secs(absl::Duration d) { return absl::ToDoubleSeconds(d); }


std::vector<uint64_t> FinPackets(const Side& s) {
  std::vector<uint64_t> p = {s.fin_packet()};
  p.insert(p.end(), s.rare().fin_retransmits.begin(), s.rare().fin_retransmits.end());
  return p;
}

// What each data-transfer tally is called in a sentence.
const char* Noun(K kind) {
  switch (kind) {
    case K::kRetransmission:
      return "retransmission(s)";
    case K::kFastRetransmission:
      return "fast retransmission(s)";
    case K::kSpuriousRetransmission:
      return "retransmission(s) of data already acknowledged";
    case K::kOutOfOrder:
      return "out-of-order segment(s)";
    case K::kLostSegment:
      return "sequence gap(s) (data never captured)";
    case K::kDuplicateAck:
      return "duplicate ACK(s)";
    case K::kZeroWindow:
      return "zero-window advertisement(s)";
    case K::kZeroWindowProbe:
      return "zero-window probe(s)";
    case K::kWindowFull:
      return "segment(s) filling the peer's window";
    case K::kKeepalive:
      return "keep-alive probe(s)";
    case K::kDuplicatePacket:
      return "packet(s) captured twice";
    case K::kDataAfterClose:
      return "segment(s) with data after its own FIN";
    case K::kRstIgnored:
      return "RST(s) its receiver could not accept (sequence number not "
             "RCV.NXT, RFC 5961): ignored, possibly injected";
    default:
      return "event(s)";
  }
}

}  // namespace

Anomaly Connection::TallyAnomaly(size_t index) const {
  const AnomalyTally& t = rare().tallies[index];
  const char* who = t.client ? "client" : "server";
  return MakeAnomaly(
      t.kind, who, t.first_packet, t.last_packet, t.first_t,
      t.last_t - t.first_t, t.count,
      std::vector<uint64_t>(t.packets.begin(), t.packets.end()),
      absl::StrFormat("%d %s by the %s (pkts %s%s).", t.count, Noun(t.kind),
                      who, absl::StrJoin(t.packets, ","),
                      t.count > t.packets.size() ? ",..." : ""));
}

void Connection::AddTallies(ConnectionRecord& rec) const {
  for (size_t i = 0; i < rare().tallies.size(); ++i) {
    rec.anomalies.push_back(TallyAnomaly(i));
  }
}

namespace {

struct SideView {
  const Side& s;
  const Side& peer;
  const char* name;
  const char* peer_name;
  S state;
  // How the observation ended, e.g. "until the capture ended".
  const char* horizon;
};

// The end of what the record saw, as the stuck anomalies' details say it.
const char* Horizon(EndReason reason) {
  switch (reason) {
    case EndReason::kCaptureEnd:
      return "until the capture ended";
    case EndReason::kEvicted:
      return "until the connection was evicted from the full table";
    case EndReason::kIdleTimeout:
      return "until the connection was dropped as idle";
    case EndReason::kClosed:
    case EndReason::kReset:
    case EndReason::kTimeWaitExpired:
    case EndReason::kPortReuse:
      return "until the record ended";
  }
  return "until the record ended";
}

void StuckCloseWait(const SideView& v, absl::Time now,
                    const AnomalyOptions& o, std::vector<Anomaly>& out) {
  const std::optional<EventRecord> fin = Find(v.s, E::kRecvFin);
  if (v.state != S::kCloseWait || !fin) {
    return;
  }
  const absl::Duration stuck = now - fin->t;
  if (stuck < o.Threshold(K::kCloseWaitStuck)) {
    return;
  }
  std::string activity;
  if (v.s.last_data_time > fin->t) {
    activity = absl::StrFormat(
        "kept sending data (last at pkt %d, %.1f s before that): "
        "half-close in use, but its application never closed",
        v.s.last_data_packet, Secs(now - v.s.last_data_time));
  } else {
    activity = absl::StrFormat(
        "sent no data for %.1f s either: the application never closed",
        Secs(now - std::max(fin->t, v.s.last_data_time)));
  }
  out.push_back(MakeAnomaly(
      K::kCloseWaitStuck, v.name, fin->proof_packet, v.s.last_packet, fin->t,
      stuck, 1, {v.peer.fin_packet(), fin->proof_packet},
      absl::StrFormat("%s's FIN (pkt %d) ACKed at pkt %d; the %s sent no FIN "
                      "for %.1f s %s and %s.",
                      v.peer_name, v.peer.fin_packet(), fin->proof_packet,
                      v.name, Secs(stuck), v.horizon, activity)));
}

void StuckFinWait2(const SideView& v, absl::Time now, const AnomalyOptions& o,
                   std::vector<Anomaly>& out) {
  const std::optional<EventRecord> ack = Find(v.s, E::kRecvAckOfFin);
  if (v.state != S::kFinWait2 || !ack) {
    return;
  }
  const absl::Time quiet_since = std::max(ack->t, v.peer.last_time);
  const absl::Duration quiet = now - quiet_since;
  if (quiet < o.Threshold(K::kFinWait2Stuck)) {
    return;
  }
  out.push_back(MakeAnomaly(
      K::kFinWait2Stuck, v.name, ack->packet, v.peer.last_packet, ack->t,
      now - ack->t, 1, {v.s.fin_packet(), ack->packet},
      absl::StrFormat("%s's FIN (pkt %d) was ACKed at pkt %d; the %s then "
                      "sent neither FIN nor anything else for %.1f s: "
                      "half-open, the %s waits in FIN_WAIT_2.",
                      v.name, v.s.fin_packet(), ack->packet, v.peer_name,
                      Secs(quiet), v.name)));
}

void StuckFin(const SideView& v, absl::Time now, const AnomalyOptions& o,
              std::vector<Anomaly>& out) {
  const bool last_ack = v.state == S::kLastAck;
  if (!v.s.fin_sent ||
      !(last_ack || v.state == S::kFinWait1 || v.state == S::kClosing)) {
    return;
  }
  const K kind = last_ack ? K::kLastAckStuck : K::kFinWait1Stuck;
  const std::optional<EventRecord> send = Find(v.s, E::kSendFin);
  const absl::Time since = send.has_value() ? absl::Time(send->t) : now;
  if (v.s.rare().fin_retransmit_count < o.stuck_fin_retransmits &&
      now - since < o.Threshold(kind)) {
    return;
  }
  const std::string why =
      v.s.rare().fin_ack_losses > 0
          ? absl::StrFormat("the %s's ACK (pkt %d) was captured but never "
                            "reached the %s (lost after the tap)",
                            v.peer_name, v.s.rare().lost_ack_packet, v.name)
          : std::string("it was never acknowledged in the capture");
  out.push_back(MakeAnomaly(
      kind, v.name, v.s.fin_packet(), v.s.last_packet, since, now - since,
      v.s.rare().fin_retransmit_count + 1, FinPackets(v.s),
      absl::StrFormat("%s's FIN (pkt %d) retransmitted %d× over %.1f s: %s; "
                      "it is still in %s.",
                      v.name, v.s.fin_packet(), v.s.rare().fin_retransmit_count,
                      Secs(now - since), why, TcpStateName(v.state))));
}

}  // namespace

void Connection::AddStuck(absl::Time now, TcpState client_state,
                          TcpState server_state, const char* horizon,
                          std::vector<Anomaly>& out) const {
  static const AnomalyOptions kDefaults;
  const AnomalyOptions& o =
      options_->anomalies != nullptr ? *options_->anomalies : kDefaults;
  const SideView views[] = {
      {client_, server_, "client", "server", client_state, horizon},
      {server_, client_, "server", "client", server_state, horizon}};
  for (const SideView& v : views) {
    StuckCloseWait(v, now, o, out);
    StuckFinWait2(v, now, o, out);
    StuckFin(v, now, o, out);
  }
}

void Connection::AddStuckAnomalies(absl::Time now,
                                   std::vector<Anomaly>& out) const {
  // Live: the connection is still open, so the detail speaks of now.
  AddStuck(now, client_.state, server_.state, "so far", out);
}

void Connection::AddLifecycleAnomalies(absl::Time now,
                                       ConnectionRecord& rec) const {
  AddStuck(now, rec.client.state, rec.server.state, Horizon(rec.end_reason),
           rec.anomalies);
  AddHandshakeAnomalies(now, rec);
  AddRstAnomalies(rec);
  AddShapeAnomalies(rec);
}

void Connection::AddHandshakeAnomalies(absl::Time now,
                                       ConnectionRecord& rec) const {
  const std::optional<EventRecord> syn = Find(client_, E::kSendSyn);
  if (syn.has_value() && server_.packets == 0 &&
      (client_.rare().syn_retransmit_count > 0 ||
       now - syn->t >= kHandshakeVerdictAfter)) {
    std::vector<uint64_t> p = {syn->packet};
    p.insert(p.end(), client_.rare().syn_retransmits.begin(),
             client_.rare().syn_retransmits.end());
    rec.anomalies.push_back(MakeAnomaly(
        K::kSynUnanswered, "client", syn->packet, client_.last_packet, syn->t,
        client_.last_time - syn->t, client_.syns, p,
        absl::StrFormat("SYN (pkt %d) sent %d× (%d retries) over %.1f s; "
                        "no reply from the server in the capture.",
                        syn->packet, client_.syns, client_.syns - 1,
                        Secs(client_.last_time - syn->t))));
  }
  const std::optional<EventRecord> synack = Find(server_, E::kSendSynAck);
  const bool completed = server_.events.Has(E::kRecvAckOfSyn) ||
                         server_.events.Has(E::kSendAck);
  if (synack.has_value() && !completed && !rare().rst &&
      (server_.rare().syn_retransmit_count > 0 ||
       now - synack->t >= kHandshakeVerdictAfter)) {
    std::vector<uint64_t> p = {synack->packet};
    p.insert(p.end(), server_.rare().syn_retransmits.begin(),
             server_.rare().syn_retransmits.end());
    const std::string lost =
        server_.rare().syn_ack_losses > 0
            ? absl::StrFormat(" (the client's ACK, pkt %d, was lost after "
                              "the tap)",
                              server_.rare().lost_ack_packet)
            : "";
    rec.anomalies.push_back(MakeAnomaly(
        K::kHalfOpenHandshake, "server", synack->packet, server_.last_packet,
        synack->t, now - synack->t, server_.rare().syn_retransmit_count + 1, p,
        absl::StrFormat("SYN-ACK (pkt %d) sent with %d retransmission(s); the "
                        "handshake's final ACK never reached the server%s: "
                        "it ended in %s.",
                        synack->packet, server_.rare().syn_retransmit_count, lost,
                        TcpStateName(rec.server.state))));
  }
}

}  // namespace tcpstate
