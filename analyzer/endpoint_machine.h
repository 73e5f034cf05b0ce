#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "analyzer/packed_time.h"
#include "analyzer/tcp_state.h"
#include "dissectors/seq_num.h"

namespace tcpstate {

// What happened to one endpoint, as far as the capture can tell. Send events
// are certain: the capture holds the segment the endpoint sent. Receive events
// are either proven by the endpoint's own ACK field
// ("confirmed") or assumed from a segment its peer sent ("assumed"), which
// later behaviour can retract (e.g. a FIN retransmitted after its ACK was
// captured proves the ACK never arrived).
enum class EndpointEvent : uint8_t {
  kSendSyn,       // SYN without ACK
  kSendSynAck,    // SYN with ACK
  kSendAck,       // first non-SYN segment with ACK: endpoint synchronized
  kSendFin,       // first FIN
  kSendRst,       // RST (retracted if the endpoint keeps sending)
  kRecvSyn,       // confirmed: endpoint ACKed its peer's SYN
  kRecvFin,       // confirmed: endpoint ACKed its peer's FIN
  kRecvAckOfSyn,  // assumed: peer ACKed this endpoint's SYN
  kRecvAckOfFin,  // assumed: peer ACKed this endpoint's FIN
  kRecvRst,       // assumed: peer sent an acceptable RST
  kReplaced,      // a new SYN on the 4-tuple replaced this TIME_WAIT socket
};

const char* EndpointEventName(EndpointEvent e);

struct EventRecord {
  uint64_t packet = 0;        // when it happened, as a packet number
  uint64_t proof_packet = 0;  // the packet that proved it (>= packet)
  PackedTime t;
  EndpointEvent event = EndpointEvent::kSendSyn;
  // Order within one packet: receipts proven by the packet's ACK field come
  // before what the packet itself sends (RFC 9293 3.10.7.4: ACK processing
  // precedes FIN processing; an endpoint sends after it has received).
  uint8_t order = 0;
  // Assumed events: set once the endpoint's own behaviour proves receipt
  // (it ACKed the segment that carried the event).
  bool assumed = false;
  bool confirmed = false;
  bool has_confirm_seq = false;
  SeqNum confirm_seq;  // endpoint's ACK at or past this proves receipt
};

inline EventRecord MakeEvent(EndpointEvent e, uint64_t packet, PackedTime t,
                             uint8_t order) {
  EventRecord r;
  r.event = e;
  r.packet = packet;
  r.proof_packet = packet;
  r.t = t;
  r.order = order;
  return r;
}

// When the assumed ACKs of an endpoint's SYN and FIN count (at most one of
// each is held at a time): from the capture time given, once the path has
// been shown to lose that kind of ACK (it must be followed by silence
// longer than the sender's retransmission back-off); always otherwise.
// The same holds for an RST once the path has lost one: the endpoint kept
// sending after it, so a later RST counts only after the endpoint stayed
// silent past its next retransmission.
struct AssumptionTimes {
  PackedTime ack_of_syn = absl::InfinitePast();
  PackedTime ack_of_fin = absl::InfinitePast();
  PackedTime rst = absl::InfinitePast();

  // No loss proven: every assumed receipt counts from the start.
  bool AlwaysValid() const {
    const PackedTime past = absl::InfinitePast();
    return ack_of_syn == past && ack_of_fin == past && rst == past;
  }

  absl::Time For(EndpointEvent e) const {
    return e == EndpointEvent::kRecvAckOfSyn   ? absl::Time(ack_of_syn)
           : e == EndpointEvent::kRecvAckOfFin ? absl::Time(ack_of_fin)
           : e == EndpointEvent::kRecvRst      ? absl::Time(rst)
                                               : absl::InfinitePast();
  }
};

// Context carried through a replay.
struct ReplayContext {
  bool own_syn_acked = false;
  absl::Time time_wait_since;
};

// One step of the RFC 9293 section 3.3.2 state machine for one endpoint:
// (state, event) -> next state. Pure; unknown combinations keep the state.
TcpState NextState(TcpState state, EndpointEvent event, ReplayContext& ctx);

struct ReplayResult {
  TcpState state = TcpState::kUnknown;
  struct Step {
    TcpState state;
    uint64_t packet;
    absl::Time t;
    int event_index;  // index into the replayed events; -1: timer expiry
    // The event that caused it (meaningless for a timer).
    EndpointEvent event = EndpointEvent::kSendSyn;
    bool unconfirmed = false;  // an assumed receipt not yet proven
  };
  absl::InlinedVector<Step, 8> steps;  // every change of state, in order
};

// The span of capture time around an evaluation in which the result stays
// the same (no timer runs out, no deferred assumption starts to count):
// [from, until). Evaluating again inside it is unnecessary.
struct TimerWindow {
  absl::Time from = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();

  bool Contains(absl::Time t) const { return from <= t && t < until; }
  // Narrows the window by a threshold: the result changes once `now`
  // reaches `at`.
  void Note(absl::Time at, absl::Time now) {
    if (now >= at) {
      from = std::max(from, at);
    } else {
      until = std::min(until, at);
    }
  }
};

// Folds NextState over `events` (sorted by packet, order; each with packet,
// t, event and assumed), starting from `state` and `ctx`, skipping assumed
// events not yet valid at `now` (`valid_from`). `on_step(state, event
// index, event or null for a timer, time)` sees every change of state;
// `window` is narrowed by the thresholds met. Timers are left to
// ExpireTimeWait, so that a later fold may continue from the result.
template <typename Events, typename OnStep>
TcpState FoldFrom(const Events& events, TcpState state, ReplayContext& ctx,
                  absl::Time now, const AssumptionTimes& valid_from,
                  TimerWindow& window, OnStep&& on_step) {
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& ev = events[i];
    if (ev.assumed) {
      const absl::Time from = valid_from.For(ev.event);
      if (from != absl::InfinitePast()) {
        window.Note(from, now);
      }
      if (from > now) {
        continue;
      }
    }
    const TcpState next = NextState(state, ev.event, ctx);
    if (next == TcpState::kTimeWait && state != TcpState::kTimeWait) {
      ctx.time_wait_since = ev.t;
    }
    if (next != state) {
      state = next;
      on_step(state, static_cast<int>(i), &ev, absl::Time(ev.t));
    }
  }
  return state;
}

// TIME_WAIT expiry after a fold: `time_wait` after entering it (Linux
// TCP_TIMEWAIT_LEN; RFC 9293 3.3.2 says 2*MSL). `Event` is the folded
// events' type (on_step sees a null one for the timer).
template <typename Event, typename OnStep>
TcpState ExpireTimeWait(TcpState state, const ReplayContext& ctx,
                        absl::Time now, absl::Duration time_wait,
                        TimerWindow& window, OnStep&& on_step) {
  if (state == TcpState::kTimeWait) {
    const absl::Time expiry = ctx.time_wait_since + time_wait;
    window.Note(expiry, now);
    if (now >= expiry) {
      state = TcpState::kClosed;  // 2*MSL timer ran out (RFC 9293 3.10.8)
      on_step(state, -1, static_cast<const Event*>(nullptr), expiry);
    }
  }
  return state;
}

// The whole fold: FoldFrom from nothing known, then the TIME_WAIT timer.
template <typename Events, typename OnStep>
TcpState FoldEvents(const Events& events, absl::Time now,
                    absl::Duration time_wait, const AssumptionTimes& valid_from,
                    TimerWindow& window, OnStep&& on_step) {
  ReplayContext ctx;
  const TcpState state = FoldFrom(events, TcpState::kUnknown, ctx, now,
                                  valid_from, window, on_step);
  using Event = std::remove_reference_t<decltype(events[0])>;
  return ExpireTimeWait<Event>(state, ctx, now, time_wait, window, on_step);
}

ReplayResult Replay(absl::Span<const EventRecord> events, absl::Time now,
                    absl::Duration time_wait,
                    const AssumptionTimes& valid_from = {},
                    TimerWindow* window = nullptr);

}  // namespace tcpstate
