#include "analyzer/seq_analysis.h"

#include <algorithm>

namespace tcpstate {
namespace {

using K = AnomalyKind;

constexpr uint16_t kSynFinRst =
    TcpFlags::kSyn | TcpFlags::kFin | TcpFlags::kRst;

bool HasAny(const TcpSegment& seg, uint16_t mask) {
  return (seg.flags.bits & mask) != 0;
}

// Sequence space the segment occupies: payload, plus one for a SYN or a FIN
// (Wireshark counts one even for SYN+FIN).
uint32_t SeqLength(const TcpSegment& seg) {
  return seg.payload_len +
         (HasAny(seg, TcpFlags::kSyn | TcpFlags::kFin) ? 1u : 0u);
}

// The shift that applies to `rev`'s last advertised window, or -1 when it is
// unknown. Scaling is in effect only when both SYNs offered it (RFC 7323
// 2.2), and a window carried on a SYN is never scaled.
int RevWindowShift(const FlowDirection& fwd, const FlowDirection& rev) {
  if (rev.window_on_syn || fwd.syn_wscale == FlowDirection::kScaleAbsent ||
      rev.syn_wscale == FlowDirection::kScaleAbsent) {
    return 0;
  }
  if (fwd.syn_wscale == FlowDirection::kScaleUnseen ||
      rev.syn_wscale == FlowDirection::kScaleUnseen) {
    return -1;
  }
  return rev.syn_wscale;
}

// Window scale offers, the most recent SYN and the handshake round trip
// (Wireshark's iRTT: most recent SYN to the first ACK without SYN).
void NoteHandshake(const TcpSegment& seg, PackedTime t, FlowDirection& fwd,
                   FlowDirection& rev) {
  if (seg.flags.syn()) {
    // A SYN that is not a resend of the last one starts a new sequence space
    // (Wireshark starts a new stream): what came before says nothing.
    if (fwd.next_known && seg.seq != fwd.next_seq.Minus(1)) {
      const FlowDirection fresh;
      fwd = fresh;
    }
    const std::optional<uint8_t>& ws = seg.options.window_scale;
    fwd.syn_wscale =
        ws.has_value()
            ? static_cast<int8_t>(std::min<int>(*ws, kMaxWindowShift))
            : FlowDirection::kScaleAbsent;
    if (!seg.flags.ack()) {
      fwd.syn_time = t;
      fwd.has_syn_time = true;
    }
    return;
  }
  if (!seg.flags.ack() || fwd.irtt > absl::ZeroDuration()) {
    return;
  }
  if (!fwd.has_syn_time && !rev.has_syn_time) {
    return;
  }
  absl::Time syn = fwd.has_syn_time ? fwd.syn_time : rev.syn_time;
  if (rev.has_syn_time && rev.syn_time > syn) {
    syn = rev.syn_time;
  }
  const absl::Duration rtt = t - syn;
  if (rtt > absl::ZeroDuration()) {
    fwd.irtt = rtt;
    rev.irtt = rtt;
  }
}

// What the window and ACK rules found, before the retransmission family.
struct ForwardFacts {
  AnomalyKindSet kinds = 0;
  bool keepalive_form = false;   // keep-alive, or a probe in that form
  bool wireshark_probe = false;  // 1 byte at next_seq into a zero window
};

bool PeerWindowIsZero(const FlowDirection& rev) {
  return rev.seen && rev.window == 0;
}

// Wireshark's duplicate ACK: a pure ACK that repeats the sender's previous
// sequence, ACK and (non-zero) window; not the ACK of a keep-alive.
bool IsDuplicateAck(const TcpSegment& seg, const FlowDirection& fwd,
                    const FlowDirection& rev) {
  return seg.payload_len == 0 && seg.flags.ack() && !HasAny(seg, kSynFinRst) &&
         seg.window != 0 && fwd.seen && seg.window == fwd.window &&
         fwd.next_known && seg.seq == fwd.next_seq && fwd.ack_known &&
         seg.ack == fwd.last_ack && !rev.last_was_keepalive;
}

// A segment that reaches exactly the right edge of the peer's window.
bool FillsWindow(const TcpSegment& seg, const FlowDirection& fwd,
                 const FlowDirection& rev) {
  if (seg.payload_len == 0 || HasAny(seg, kSynFinRst) || !rev.ack_known) {
    return false;
  }
  const int shift = RevWindowShift(fwd, rev);
  if (shift < 0) {
    return false;
  }
  const uint32_t edge = uint32_t{rev.window} << shift;
  return seg.seq.Plus(seg.payload_len) == rev.last_ack.Plus(edge);
}

// Zero window, lost segment, keep-alive, zero-window probe, window full and
// duplicate ACK, in Wireshark's order.
ForwardFacts ForwardKinds(const TcpSegment& seg, const FlowDirection& fwd,
                          const FlowDirection& rev) {
  ForwardFacts f;
  const uint32_t len = seg.payload_len;
  if (len == 1 && fwd.next_known && seg.seq == fwd.next_seq &&
      PeerWindowIsZero(rev)) {
    // Wireshark stops here: a probe is nothing else.
    f.wireshark_probe = true;
    f.kinds |= Bit(K::kZeroWindowProbe);
    return f;
  }
  if (seg.window == 0 && !HasAny(seg, kSynFinRst)) {
    f.kinds |= Bit(K::kZeroWindow);
  }
  // A probe byte the receiver took leaves a 1-byte "gap" that was captured.
  const bool after_probe =
      fwd.last_was_probe && seg.seq == fwd.next_seq.Plus(1);
  if (fwd.next_known && seg.seq.IsAfter(fwd.next_seq) && !seg.flags.rst() &&
      !after_probe) {
    f.kinds |= Bit(K::kLostSegment);
  }
  if (len <= 1 && fwd.next_known && seg.seq == fwd.next_seq.Minus(1) &&
      !HasAny(seg, kSynFinRst)) {
    f.keepalive_form = true;
    // Linux probes a zero window in the keep-alive form (SND.UNA - 1, no
    // data); a keep-alive is never sent while the peer's window is shut.
    f.kinds |=
        PeerWindowIsZero(rev) ? Bit(K::kZeroWindowProbe) : Bit(K::kKeepalive);
  }
  if (FillsWindow(seg, fwd, rev)) {
    f.kinds |= Bit(K::kWindowFull);
  }
  if (IsDuplicateAck(seg, fwd, rev)) {
    f.kinds |= Bit(K::kDuplicateAck);
  }
  return f;
}

// Spurious retransmission > fast retransmission > out-of-order >
// retransmission, for a segment that carries data, SYN or FIN.
AnomalyKindSet RetransmissionKind(const TcpSegment& seg, PackedTime t,
                                  const FlowDirection& fwd,
                                  const FlowDirection& rev) {
  const uint32_t len = seg.payload_len;
  bool not_advanced = fwd.next_known && seg.seq.IsBefore(fwd.next_seq);
  // New data starting one byte early follows a probe whose byte the
  // receiver dropped: it is not a retransmission.
  if (len > 1 && fwd.next_known && seg.seq == fwd.next_seq.Minus(1)) {
    not_advanced = false;
  }
  if (len > 0 && rev.ack_known &&
      seg.seq.Plus(len).IsBeforeOrEqual(rev.last_ack)) {
    return Bit(K::kSpuriousRetransmission);
  }
  if (!not_advanced) {
    return 0;
  }
  if (rev.dup_acks >= 2 && rev.last_ack == seg.seq &&
      t - rev.last_time < kFastRetransmitWindow) {
    return Bit(K::kFastRetransmission);
  }
  const absl::Duration reorder =
      fwd.irtt > absl::ZeroDuration() ? absl::Duration(fwd.irtt) : kDefaultReorderWindow;
  if (t - fwd.next_seq_time < reorder &&
      fwd.next_seq != seg.seq.Plus(SeqLength(seg))) {
    return Bit(K::kOutOfOrder);
  }
  return Bit(K::kRetransmission);
}

// Records what the sender has now sent and advertised.
void UpdateSender(const TcpSegment& seg, PackedTime t, const ForwardFacts& f,
                  FlowDirection& fwd) {
  const SeqNum end = seg.seq.Plus(SeqLength(seg));
  // A probe does not advance the next expected sequence number.
  if ((!fwd.next_known || end.IsAfter(fwd.next_seq)) && !f.wireshark_probe) {
    fwd.next_seq = end;
    fwd.next_seq_time = t;
    fwd.next_known = true;
  }
  if (seg.flags.ack()) {
    if (fwd.ack_known && seg.ack != fwd.last_ack) {
      fwd.dup_acks = 0;
    }
    if ((f.kinds & Bit(K::kDuplicateAck)) != 0) {
      ++fwd.dup_acks;
    }
    fwd.last_ack = seg.ack;
    fwd.ack_known = true;
  }
  fwd.window = seg.window;
  fwd.window_on_syn = seg.flags.syn();
  fwd.sent_syn_ack = fwd.sent_syn_ack || (seg.flags.syn() && seg.flags.ack());
  fwd.last_was_keepalive = (f.kinds & Bit(K::kKeepalive)) != 0;
  fwd.last_was_probe = (f.kinds & Bit(K::kZeroWindowProbe)) != 0;
  fwd.last_time = t;
  fwd.seen = true;
}

}  // namespace

AnomalyKindSet ClassifySegment(const TcpSegment& seg, PackedTime t,
                               FlowDirection& fwd, FlowDirection& rev) {
  // A RST is not part of the byte stream: its sequence number (possibly
  // forged, or not acceptable to the receiver) must not move the sender's
  // next sequence number, and its zero window is not an advertisement.
  // RST acceptability and injection are judged by the connection.
  if (seg.flags.rst()) {
    return 0;
  }
  NoteHandshake(seg, t, fwd, rev);
  const ForwardFacts f = ForwardKinds(seg, fwd, rev);
  AnomalyKindSet kinds = f.kinds;
  const bool occupies_seq =
      seg.payload_len > 0 || HasAny(seg, TcpFlags::kSyn | TcpFlags::kFin);
  // The first SYN-ACK after a SYN of its own (simultaneous open, RFC 9293
  // 3.5) answers the peer's SYN; only a repeated SYN-ACK is resent.
  const bool answers_syn = seg.flags.syn() && seg.flags.ack() &&
                           fwd.has_syn_time && !fwd.sent_syn_ack;
  if (occupies_seq && !f.keepalive_form && !answers_syn) {
    kinds |= RetransmissionKind(seg, t, fwd, rev);
  }
  UpdateSender(seg, t, f, fwd);
  return kinds;
}

}  // namespace tcpstate
