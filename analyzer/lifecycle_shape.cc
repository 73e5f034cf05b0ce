// Lifecycle anomalies about how a connection ended by RST, and about its
// shape: port reuse, simultaneous open/close, mid-stream pickup.
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "analyzer/connection.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;
using K = AnomalyKind;
using S = TcpState;

bool HasAt(const Side& s, E kind, uint64_t packet) {
  return s.events.HasAt(kind, packet);
}

// A one-off event: one packet, no duration.
Anomaly Make(K kind, const char* endpoint, uint64_t packet, absl::Time t,
             std::string detail) {
  return MakeAnomaly(kind, endpoint, packet, packet, t, absl::ZeroDuration(),
                     1, {packet}, std::move(detail));
}

// In which phase of the connection the RST's sender was.
std::string Phase(const RstFacts& r) {
  switch (r.sender_state) {
    case S::kUnknown:
    case S::kClosed:
    case S::kListen:
    case S::kSynSent:
    case S::kSynReceived:
      return "during the handshake";
    case S::kEstablished:
      return r.unacked_bytes > 0
                 ? absl::StrFormat("while established with %d byte(s) it "
                                   "had sent still unacknowledged",
                                   r.unacked_bytes)
                 : "while established";
    case S::kCloseWait:
      return "after the peer's FIN (in CLOSE_WAIT)";
    case S::kFinWait1:
    case S::kFinWait2:
    case S::kClosing:
    case S::kLastAck:
    case S::kTimeWait:
      return absl::StrFormat("after its own FIN (in %s)",
                             TcpStateName(r.sender_state));
  }
  return "";
}

bool TimelineHas(const EndpointRecord& e, S from, S to) {
  for (size_t i = 1; i < e.timeline.size(); ++i) {
    if (e.timeline[i - 1].state == from && e.timeline[i].state == to) {
      return true;
    }
  }
  return false;
}

const StateChange* FirstIn(const EndpointRecord& e, S state) {
  for (const StateChange& c : e.timeline) {
    if (c.state == state) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

void Connection::AddRstAnomalies(ConnectionRecord& rec) const {
  if (!rare().rst) {
    return;
  }
  const RstFacts& r = *rare().rst;
  const Side& receiver = r.from_client ? server_ : client_;
  // A RST its receiver's later traffic disproved (it kept sending) did not
  // end the connection: that one is rst_ignored.
  if (!HasAt(receiver, E::kRecvRst, r.packet)) {
    return;
  }
  const char* who = r.from_client ? "client" : "server";
  if (!r.from_client && r.receiver_state == S::kSynSent &&
      server_.packets == server_.rsts) {
    rec.anomalies.push_back(Make(
        K::kRefused, "server", r.packet, r.t,
        absl::StrFormat("the client's SYN was answered by RST (pkt %d): "
                        "nothing listening on %s port %d.",
                        r.packet, server_ep().addr.ToString(), server_ep().port)));
    return;
  }
  rec.anomalies.push_back(Make(
      K::kRstTeardown, who, r.packet, r.t,
      absl::StrFormat("the %s ended the connection with RST (pkt %d) %s%s; "
                      "the %s accepted it.",
                      who, r.packet, Phase(r),
                      r.carried_data ? ", and the RST carried data" : "",
                      r.from_client ? "server" : "client")));
}

std::string PortReuseDetail(const PortReuse& reuse) {
  return absl::StrFormat(
      "this SYN reuses the 4-tuple of connection %d, left with client %s and "
      "server %s.",
      reuse.previous_id, TcpStateName(reuse.previous_client),
      TcpStateName(reuse.previous_server));
}

void RenumberConnection(ConnectionRecord& rec, uint64_t id,
                        uint64_t reused_id) {
  rec.id = id;
  if (!rec.reuse) {
    return;
  }
  rec.reuse->previous_id = reused_id;
  const absl::string_view kind = InfoOf(K::kPortReuse).id;
  for (Anomaly& a : rec.anomalies) {
    if (a.kind == kind) {
      a.detail = PortReuseDetail(*rec.reuse);
    }
  }
}

void Connection::AddShapeAnomalies(ConnectionRecord& rec) const {
  if (rare().reuse) {
    const ReuseFacts& r = *rare().reuse;
    rec.reuse = PortReuse{r.previous_id, r.previous_client, r.previous_server};
    rec.anomalies.push_back(Make(K::kPortReuse, "client", r.packet, r.t,
                                 PortReuseDetail(*rec.reuse)));
  }
  for (const EndpointRecord* e : {&rec.client, &rec.server}) {
    const char* who = e == &rec.client ? "client" : "server";
    if (TimelineHas(*e, S::kSynSent, S::kSynReceived)) {
      const StateChange* c = FirstIn(*e, S::kSynReceived);
      rec.anomalies.push_back(Make(
          K::kSimultaneousOpen, who, c->packet, c->t,
          absl::StrFormat("the %s received its peer's SYN while in SYN_SENT "
                          "(pkt %d): simultaneous open.",
                          who, c->packet)));
    }
    if (const StateChange* c = FirstIn(*e, S::kClosing)) {
      rec.anomalies.push_back(Make(
          K::kSimultaneousClose, who, c->packet, c->t,
          absl::StrFormat("the %s got its peer's FIN before the ACK of its "
                          "own (pkt %d): simultaneous close through CLOSING.",
                          who, c->packet)));
    }
  }
  if (mid_stream_) {
    rec.anomalies.push_back(Make(
        K::kMidStream, "client", first_packet_, first_seen_,
        absl::StrFormat("no SYN seen: picked up mid-connection at pkt %d; "
                        "roles by rule %s.",
                        first_packet_, RoleRuleName(role_rule_))));
  }
}

}  // namespace tcpstate
