// The states an endpoint may be in besides the reported one: what the
// capture cannot rule out, each with its reason (see PossibleReason). The
// reported state is the most likely; the truth is it or one of these.
#include <algorithm>
#include <vector>

#include "analyzer/connection.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;
using S = TcpState;
using R = PossibleReason;

// The longest TIME_WAIT of a common stack: Windows (TcpTimedWaitDelay
// default 240 s); Linux holds it exactly 60 s (TCP_TIMEWAIT_LEN).
constexpr absl::Duration kLongestTimeWait = absl::Seconds(240);
// Linux's handshake give-up, from the first SYN-ACK (tcp_synack_retries 5)
// or SYN (tcp_syn_retries 6): see LinuxHandshakeGiveUp.
constexpr absl::Duration kLinuxSynAckLifetime = absl::Seconds(63);
constexpr absl::Duration kLinuxSynLifetime = absl::Seconds(127);

// Collects the alternatives: one per state, the first reason found kept.
class Alternatives {
 public:
  explicit Alternatives(S reported) : reported_(reported) {}

  void Add(S state, std::initializer_list<R> reasons, uint64_t packet = 0,
           uint64_t amount = 0) {
    if (state == reported_ || state == S::kUnknown) {
      return;
    }
    for (const PossibleState& p : out_) {
      if (p.state == state) {
        return;
      }
    }
    PossibleState p;
    p.state = state;
    p.reasons.assign(reasons.begin(), reasons.end());
    p.packet = packet;
    p.amount = amount;
    out_.push_back(std::move(p));
  }

  std::vector<PossibleState> Sorted() && {
    std::sort(out_.begin(), out_.end(),
              [](const PossibleState& a, const PossibleState& b) {
                return a.state < b.state;
              });
    return std::move(out_);
  }

 private:
  S reported_;
  std::vector<PossibleState> out_;
};

// RFC 9293 3.3.2: where an event the capture did not see would take it.
S After(S state, E event) {
  ReplayContext ctx;
  ctx.own_syn_acked = true;  // only synchronized states are asked about
  return NextState(state, event, ctx);
}

}  // namespace

std::vector<PossibleState> Connection::PossibleStatesOf(
    const Side& s, const Side& peer, const ReplayResult& r,
    absl::Time now) const {
  const S state = r.state;
  Alternatives alt(state);
  if (state == S::kUnknown) {
    return {};
  }
  const size_t n = r.steps.size();
  const ReplayResult::Step* last = n > 0 ? &r.steps[n - 1] : nullptr;
  const S before = n > 1 ? r.steps[n - 2].state : S::kUnknown;
  if (last != nullptr && last->event_index < 0) {
    // A timer took it to CLOSED (RFC 9293 3.10.8 for TIME_WAIT; a give-up
    // for a handshake).
    if (before == S::kTimeWait) {
      if (options_->time_wait < kLongestTimeWait &&
          now < last->t - options_->time_wait + kLongestTimeWait) {
        alt.Add(S::kTimeWait, {R::kLongerTimeWait}, 0,
                absl::ToInt64Seconds(kLongestTimeWait));
      }
    } else if (before == S::kSynSent || before == S::kSynReceived) {
      const absl::Duration lifetime = before == S::kSynSent
                                          ? kLinuxSynLifetime
                                          : kLinuxSynAckLifetime;
      if (now < absl::Time(s.syn_time()) + lifetime) {
        alt.Add(before, {R::kStillRetrying}, 0,
                absl::ToInt64Seconds(lifetime));
      }
    }
  } else if (last != nullptr && last->unconfirmed) {
    // Its last step rests on a segment assumed to reach it. Silence proves
    // receipt only where it had something to retransmit had it not.
    const bool outstanding =
        last->event != E::kRecvRst || before == S::kSynSent ||
        before == S::kSynReceived || before == S::kFinWait1 ||
        before == S::kClosing || before == S::kLastAck ||
        UnacknowledgedBy(peer, s) > 0;
    if (now - last->t < kSilenceProof || !outstanding) {
      alt.Add(before, {R::kReceiptLost}, last->packet);
    }
  }
  // Its unseen FIN and the peer's: the other order (RFC 9293 3.10.7.4:
  // FIN_WAIT_1 then CLOSING and TIME_WAIT, or CLOSE_WAIT then LAST_ACK and
  // CLOSED).
  if (s.fin_order_unsure) {
    const S swapped = state == S::kLastAck  ? S::kClosing
                      : state == S::kClosing ? S::kLastAck
                      : state == S::kClosed  ? S::kTimeWait
                      : state == S::kTimeWait ? S::kClosed
                                              : state;
    alt.Add(swapped, {R::kFinOrderUnseen});
  }
  // An RST to it that does not count yet (this path lost an earlier one).
  EventRecord rst;
  if (s.events.Find(E::kRecvRst, &rst) && rst.assumed &&
      absl::Time(rst.t) <= now && s.rare().valid_from.For(E::kRecvRst) > now) {
    alt.Add(S::kClosed, {R::kRstArrived}, rst.packet);
  }
  // A handshake still open: the application may have given up (closing a
  // SYN_SENT socket sends nothing, RFC 9293 3.10.4), or a SYN_RECEIVED
  // endpoint silent past its back-off dropped the request sooner than
  // Linux would.
  if (state == S::kSynSent) {
    alt.Add(S::kClosed, {R::kGaveUp});
  } else if (state == S::kSynReceived &&
             now >= SilenceGiveUpTime(s, state)) {
    alt.Add(S::kClosed, {R::kGaveUp});
  } else if (state == S::kSynReceived && s.events.Has(E::kSendSynAck) &&
             s.rare().syn_retransmit_count == 0) {
    // Not retransmitted yet: a SYN cookie looks the same until its first
    // retransmission is due (RFC 4987 3.6; Linux under a full queue).
    alt.Add(S::kClosed, {R::kSynCookie});
  }
  if (!IsSynchronized(state) || state == S::kTimeWait) {
    return std::move(alt).Sorted();
  }
  // What it may have done or received unseen (RFC 9293 3.10.4 CLOSE,
  // 3.10.7.4 FIN processing): its peer's FIN may have arrived, its answers
  // lost before the capture point; it may have closed with its FIN queued
  // behind unacknowledged data or a zero window; or closed or aborted
  // unseen.
  const bool peer_fin = peer.fin_sent && !s.events.Has(E::kRecvFin);
  const uint64_t unacked = s.fin_sent ? 0 : UnacknowledgedBy(peer, s);
  // The peer's last window was zero: data may wait unsent, and a FIN
  // behind it (RFC 9293 3.8.6.1: the sender probes, it does not send).
  const bool window_shut = !s.fin_sent && peer.flow.seen &&
                           peer.flow.window == 0;
  const R close_reason = unacked > 0   ? R::kClosedBehindData
                         : window_shut ? R::kClosedBehindZeroWindow
                                       : R::kClosedUnseen;
  // Anything it sent after its last segment here may have been lost before
  // the capture point (a FIN-dropping middlebox, a one-way blackhole): the
  // capture cannot prove it did not close (ESTABLISHED, CLOSE_WAIT: the
  // synchronized states without a FIN sent) or abort (any of them).
  const bool may_close = !s.fin_sent;
  if (peer_fin) {
    const S got_fin = After(state, E::kRecvFin);
    alt.Add(got_fin, {R::kPeerFinArrived}, peer.fin_packet());
    if (may_close) {
      alt.Add(After(got_fin, E::kSendFin), {R::kPeerFinArrived, close_reason},
              peer.fin_packet(), unacked);
    }
  }
  if (may_close) {
    const S closed = After(state, E::kSendFin);
    alt.Add(closed, {close_reason}, 0, unacked);
    if (peer_fin) {
      alt.Add(After(closed, E::kRecvFin), {close_reason, R::kPeerFinArrived},
              peer.fin_packet(), unacked);
    }
  }
  alt.Add(S::kClosed, {R::kAbortedUnseen});
  if (mid_stream_ && state == S::kEstablished) {
    // No handshake seen: a FIN before the capture started. An endpoint that
    // sent no data may have closed its side (FIN_WAIT_2, its FIN ACKed);
    // one whose peer sent none may have received the peer's FIN.
    if (s.data_progress == 0) {
      alt.Add(S::kFinWait2, {R::kClosedBeforeCapture});
    }
    if (peer.data_progress == 0) {
      alt.Add(S::kCloseWait, {R::kClosedBeforeCapture});
    }
  }
  return std::move(alt).Sorted();
}

}  // namespace tcpstate
