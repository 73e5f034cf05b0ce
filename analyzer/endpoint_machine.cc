#include "analyzer/endpoint_machine.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;
using S = TcpState;

bool IsRst(E e) { return e == E::kSendRst || e == E::kRecvRst; }

// CLOSED, LISTEN or not yet known: the connection is being picked up.
TcpState FromUnsynchronized(E e, ReplayContext& ctx) {
  switch (e) {
    case E::kSendSyn:
      return S::kSynSent;  // RFC 9293 3.10.1 OPEN: SYN sent -> SYN-SENT
    case E::kSendSynAck:
    case E::kRecvSyn:
      return S::kSynReceived;  // 3.10.7.2 LISTEN + SYN -> SYN-RECEIVED
    case E::kSendAck:
      return S::kEstablished;  // mid-stream: synchronized traffic seen
    case E::kSendFin:
      return S::kFinWait1;  // mid-stream close by this endpoint
    case E::kRecvFin:
      return S::kCloseWait;  // mid-stream close by the peer
    case E::kSendRst:
    case E::kRecvRst:
      return S::kClosed;
    case E::kRecvAckOfSyn:
      ctx.own_syn_acked = true;
      return S::kUnknown;
    case E::kRecvAckOfFin:
    case E::kReplaced:
      return S::kUnknown;
  }
  return S::kUnknown;
}

TcpState FromSynSent(E e, ReplayContext& ctx) {
  switch (e) {
    case E::kRecvAckOfSyn:
      ctx.own_syn_acked = true;  // 3.10.7.3: ACK of our SYN noted
      return S::kSynSent;
    case E::kRecvSyn:
      // 3.10.7.3: SYN with our SYN ACKed -> ESTABLISHED, else simultaneous
      // open -> SYN-RECEIVED.
      return ctx.own_syn_acked ? S::kEstablished : S::kSynReceived;
    case E::kSendSynAck:
      return S::kSynReceived;  // simultaneous open: answering the peer's SYN
    case E::kSendAck:
      return ctx.own_syn_acked ? S::kEstablished : S::kSynSent;
    case E::kSendFin:
      return S::kFinWait1;
    case E::kRecvFin:
      return S::kCloseWait;
    case E::kSendRst:
    case E::kRecvRst:
      return S::kClosed;  // 3.10.7.3: acceptable RST in SYN-SENT -> CLOSED
    case E::kSendSyn:
    case E::kRecvAckOfFin:
    case E::kReplaced:
      return S::kSynSent;
  }
  return S::kSynSent;
}

TcpState FromSynReceived(E e, ReplayContext& ctx) {
  switch (e) {
    case E::kRecvAckOfSyn:
      ctx.own_syn_acked = true;
      return S::kEstablished;  // 3.10.7.4 SYN-RECEIVED + acceptable ACK
    case E::kSendAck:
      return S::kEstablished;  // only a synchronized endpoint sends data/ACKs
    case E::kSendFin:
      return S::kFinWait1;  // 3.10.4 CLOSE in SYN-RECEIVED
    case E::kRecvFin:
      return S::kCloseWait;  // 3.10.7.4 eighth: FIN in SYN-RECEIVED
    case E::kSendRst:
    case E::kRecvRst:
      return S::kClosed;
    case E::kSendSyn:
    case E::kSendSynAck:
    case E::kRecvSyn:
    case E::kRecvAckOfFin:
    case E::kReplaced:
      return S::kSynReceived;
  }
  return S::kSynReceived;
}

// Every state from ESTABLISHED on; RFC 9293 3.10.7.4 (ACK then FIN checks).
TcpState FromSynchronized(S s, E e) {
  if (IsRst(e)) {
    return S::kClosed;  // 3.10.7.4 second check: acceptable RST -> CLOSED
  }
  switch (s) {
    case S::kEstablished:
      if (e == E::kSendFin) {
        return S::kFinWait1;
      }
      return e == E::kRecvFin ? S::kCloseWait : s;
    case S::kFinWait1:
      if (e == E::kRecvAckOfFin) {
        return S::kFinWait2;
      }
      return e == E::kRecvFin ? S::kClosing : s;  // simultaneous close
    case S::kFinWait2:
      return e == E::kRecvFin ? S::kTimeWait : s;
    case S::kCloseWait:
      return e == E::kSendFin ? S::kLastAck : s;
    case S::kClosing:
      return e == E::kRecvAckOfFin ? S::kTimeWait : s;
    case S::kLastAck:
      return e == E::kRecvAckOfFin ? S::kClosed : s;
    case S::kTimeWait:
      // RFC 9293 3.10.7.4 / RFC 6191: a new SYN may reopen the 4-tuple.
      return e == E::kReplaced ? S::kClosed : s;
    case S::kClosed:
    case S::kUnknown:
    case S::kListen:
    case S::kSynSent:
    case S::kSynReceived:
      return s;
  }
  return s;
}

}  // namespace

const char* EndpointEventName(EndpointEvent e) {
  switch (e) {
    case E::kSendSyn:
      return "send_syn";
    case E::kSendSynAck:
      return "send_syn_ack";
    case E::kSendAck:
      return "send_ack";
    case E::kSendFin:
      return "send_fin";
    case E::kSendRst:
      return "send_rst";
    case E::kRecvSyn:
      return "recv_syn";
    case E::kRecvFin:
      return "recv_fin";
    case E::kRecvAckOfSyn:
      return "recv_ack_of_syn";
    case E::kRecvAckOfFin:
      return "recv_ack_of_fin";
    case E::kRecvRst:
      return "recv_rst";
    case E::kReplaced:
      return "replaced";
  }
  return "unknown";
}

TcpState NextState(TcpState state, EndpointEvent event, ReplayContext& ctx) {
  switch (state) {
    case S::kUnknown:
    case S::kClosed:
    case S::kListen:
      return FromUnsynchronized(event, ctx);
    case S::kSynSent:
      return FromSynSent(event, ctx);
    case S::kSynReceived:
      return FromSynReceived(event, ctx);
    case S::kEstablished:
    case S::kFinWait1:
    case S::kFinWait2:
    case S::kCloseWait:
    case S::kClosing:
    case S::kLastAck:
    case S::kTimeWait:
      return FromSynchronized(state, event);
  }
  return state;
}

ReplayResult Replay(absl::Span<const EventRecord> events, absl::Time now,
                    absl::Duration time_wait,
                    const AssumptionTimes& valid_from, TimerWindow* window) {
  ReplayResult r;
  TimerWindow local;
  r.state = FoldEvents(
      events, now, time_wait, valid_from, window != nullptr ? *window : local,
      [&r](TcpState state, int index, const EventRecord* ev, absl::Time t) {
        if (ev == nullptr) {
          r.steps.push_back({state, 0, t, -1});
        } else {
          r.steps.push_back({state, ev->packet, t, index, ev->event,
                             ev->assumed && !ev->confirmed});
        }
      });
  return r;
}

}  // namespace tcpstate
