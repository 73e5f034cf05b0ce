#include "analyzer/zeek_model.h"

#include <cctype>

namespace tcpstate {
namespace {

using Z = ZeekState;

bool Inactive(Z s) { return s == Z::kInactive || s == Z::kPartial; }

enum OnceLetter : uint8_t {
  kLetterA = 1u << 0,  // pure ACK
  kLetterD = 1u << 1,  // payload
  kLetterI = 1u << 2,  // FIN+RST
  kLetterQ = 1u << 3,  // SYN+FIN or SYN+RST
};

// Zeek's log-scaled history letters: at the 1st, 10th, 100th... event.
bool Scaled(uint32_t& counter, uint8_t& exponent) {
  if (counter == UINT32_MAX) {
    return false;  // beyond 10^9, the last threshold a count can reach
  }
  ++counter;
  uint64_t threshold = 1;
  for (uint8_t i = 0; i < exponent; ++i) {
    threshold *= 10;
  }
  if (counter == threshold) {
    ++exponent;
    return true;
  }
  return false;
}

}  // namespace

void ZeekModel::Add(char letter, bool from_orig) {
  history_.push_back(from_orig ? static_cast<char>(std::toupper(letter))
                               : letter);
}

void ZeekModel::OnSegment(const TcpSegment& seg, bool from_orig,
                          const ZeekSegmentFacts& facts) {
  ZeekSide& self = from_orig ? orig_ : resp_;
  ZeekSide& peer = from_orig ? resp_ : orig_;
  UpdateHistory(seg, self, peer, from_orig, facts);
  UpdateState(seg, self, peer, from_orig);
  TrackContent(seg, self);
  // Zeek leaves gaps revealed by a FIN's or RST's ACK out of the history.
  if (seg.flags.ack() && !seg.flags.fin() && !seg.flags.rst()) {
    CheckGap(seg.ack, peer, !from_orig);
  }
}

namespace {

// Gaps count only while both endpoints are "clean" (Zeek's
// TCP_Endpoint::IsClean-style check): established, or closed from there.
bool Clean(const ZeekSide& s) {
  return s.state == Z::kEstablished ||
         (s.state == Z::kClosed && s.prev_state == Z::kEstablished);
}

void AbsorbAbove(ZeekSide& s) {
  if (s.has_above && s.above_begin.IsBeforeOrEqual(s.contiguous_end)) {
    if (s.above_end.IsAfter(s.contiguous_end)) {
      s.contiguous_end = s.above_end;
    }
    s.has_above = false;
  }
}

}  // namespace

// The sender's stream starts after its SYN (or at its first data when the
// SYN was missed); data beyond the contiguous end waits above a hole.
void ZeekModel::TrackContent(const TcpSegment& seg, ZeekSide& self) {
  if (seg.flags.syn()) {
    self.stream_started = true;
    self.contiguous_end = seg.seq.Plus(1);
    self.has_above = false;
    return;
  }
  if (seg.payload_len == 0 || seg.flags.rst()) {
    return;
  }
  if (!self.stream_started) {
    self.stream_started = true;
    self.contiguous_end = seg.seq;
  }
  const SeqNum end = seg.seq.Plus(seg.payload_len);
  if (seg.seq.IsAfter(self.contiguous_end)) {
    if (!self.has_above || seg.seq.IsBefore(self.above_begin)) {
      self.above_begin = seg.seq;
    }
    if (!self.has_above || end.IsAfter(self.above_end)) {
      self.above_end = end;
    }
    self.has_above = true;
    return;
  }
  if (end.IsAfter(self.contiguous_end)) {
    self.contiguous_end = end;
  }
  AbsorbAbove(self);
}

// An ACK beyond the sender's contiguous data acknowledges bytes the capture
// never showed: Zeek's reassembler reports a content gap ('g') there.
void ZeekModel::CheckGap(SeqNum ack, ZeekSide& sender, bool sender_is_orig) {
  if (!sender.stream_started || !Clean(orig_) || !Clean(resp_)) {
    return;
  }
  SeqNum covered = sender.contiguous_end;
  if (sender.has_fin_end && sender.last_fin_end == covered) {
    covered = covered.Plus(1);  // the FIN's own sequence number
  }
  if (!ack.IsAfter(covered)) {
    return;
  }
  if (Scaled(sender.gaps, sender.gap_exponent)) {
    Add('g', sender_is_orig);
  }
  sender.contiguous_end = ack;
  AbsorbAbove(sender);
}

// Zeek's update_history(): a packet with several of SYN/FIN/RST gives only
// 'i' (FIN+RST) or 'q'; one of them gives 's'/'h', 'f' or 'r'; none gives
// 'd' (payload) or else 'a' (ACK). Data on a SYN or FIN adds no 'd'.
void ZeekModel::UpdateFlagLetters(const TcpSegment& seg, ZeekSide& self,
                                  bool from_orig) {
  const TcpFlags f = seg.flags;
  const int control = (f.syn() ? 1 : 0) + (f.fin() ? 1 : 0) + (f.rst() ? 1 : 0);
  if (control > 1) {
    const uint8_t letter = f.fin() && f.rst() ? kLetterI : kLetterQ;
    if ((self.seen_letters & letter) == 0) {
      self.seen_letters |= letter;
      Add(letter == kLetterI ? 'i' : 'q', from_orig);
    }
    return;
  }
  if (f.syn()) {
    if (!self.has_syn_seq || self.last_syn_seq != seg.seq) {
      Add(f.ack() ? 'h' : 's', from_orig);
    }
    self.has_syn_seq = true;
    self.last_syn_seq = seg.seq;
  } else if (f.fin()) {
    const SeqNum end = seg.seq.Plus(seg.payload_len);
    if (!self.has_fin_end || self.last_fin_end != end) {
      Add('f', from_orig);
    }
    self.has_fin_end = true;
    self.last_fin_end = end;
  } else if (f.rst()) {
    if (!self.has_rst_seq || self.last_rst_seq != seg.seq) {
      Add('r', from_orig);
    }
    self.has_rst_seq = true;
    self.last_rst_seq = seg.seq;
  } else if (seg.payload_len > 0) {
    if ((self.seen_letters & kLetterD) == 0) {
      self.seen_letters |= kLetterD;
      Add('d', from_orig);
    }
  } else if (f.ack() && (self.seen_letters & kLetterA) == 0) {
    self.seen_letters |= kLetterA;
    Add('a', from_orig);
  }
}

// The 'c' letter is never written: Zeek adds it only when it validates
// checksums, and then drops the packet, which tcpstate never does. The
// model therefore matches Zeek run with -C (ignore_checksums), as most
// Zeek test baselines are.
void ZeekModel::UpdateHistory(const TcpSegment& seg, ZeekSide& self,
                              const ZeekSide& peer, bool from_orig,
                              const ZeekSegmentFacts& facts) {
  UpdateFlagLetters(seg, self, from_orig);
  if (facts.is_retransmission &&
      Scaled(self.retransmits, self.retransmit_exponent)) {
    Add('t', from_orig);
  }
  // Zero windows are "boring" with or after a RST, or after the peer's FIN.
  if (seg.window == 0 && !seg.flags.rst() && peer.state != Z::kClosed &&
      self.state != Z::kReset &&
      Scaled(self.zero_windows, self.zero_window_exponent)) {
    Add('w', from_orig);
  }
}

void ZeekModel::SetState(ZeekSide& side, ZeekState state) {
  if (side.state != state) {
    side.prev_state = side.state;
    side.state = state;
  }
}

// TCPSessionAdapter::UpdateInactiveState, without the SYN/SYN-ACK reversal.
void ZeekModel::UpdateInactive(const TcpSegment& seg, ZeekSide& self,
                               ZeekSide& peer, bool from_orig) {
  const TcpFlags f = seg.flags;
  if (f.syn()) {
    if (from_orig) {
      SetState(self, f.ack() ? Z::kSynAckSent : Z::kSynSent);
    } else {
      // Any SYN from the responder answers the originator's SYN.
      if (peer.state == Z::kSynSent) {
        SetState(peer, Z::kEstablished);
      }
      SetState(self, Z::kEstablished);
    }
  }
  if (f.fin()) {
    SetState(self, Z::kClosed);
  }
  if (f.rst()) {
    SetState(self, Z::kReset);
  }
  if (self.state != Z::kInactive) {
    return;
  }
  if (!from_orig && seg.payload_len == 0 && peer.state == Z::kSynSent) {
    // Some stacks ACK a SYN before answering it: not a partial connection.
  } else if (f.ack() && peer.state == Z::kEstablished) {
    SetState(self, Z::kEstablished);  // the SYN was missed
  } else {
    SetState(self, Z::kPartial);
  }
}

// Zeek's per-state updates: SYN_SENT/SYN_ACK_SENT only leave on FIN or RST;
// ESTABLISHED/PARTIAL also on a SYN from a partial endpoint whose peer is
// silent; CLOSED only on a RST while the peer has not closed; RESET never.
void ZeekModel::UpdateState(const TcpSegment& seg, ZeekSide& self,
                            ZeekSide& peer, bool from_orig) {
  const TcpFlags f = seg.flags;
  switch (self.state) {
    case Z::kInactive:
      UpdateInactive(seg, self, peer, from_orig);
      break;
    case Z::kSynSent:
    case Z::kSynAckSent:
      if (f.fin()) {
        SetState(self, Z::kClosed);
      }
      if (f.rst()) {
        SetState(self, Z::kReset);
      }
      break;
    case Z::kEstablished:
    case Z::kPartial:
      if (f.syn() && !f.ack() && self.state == Z::kPartial &&
          peer.state == Z::kInactive) {
        SetState(self, Z::kSynSent);
      }
      if (f.fin() && !f.rst()) {
        SetState(self, Z::kClosed);
        if (peer.state == Z::kReset && peer.prev_state == Z::kClosed) {
          SetState(peer, Z::kClosed);  // FIN, RST, then FIN: a normal close
        }
      }
      if (f.rst()) {
        SetState(self, Z::kReset);
      }
      break;
    case Z::kClosed:
      if (f.rst() && peer.state != Z::kClosed) {
        SetState(self, Z::kReset);
      }
      break;
    case Z::kReset:
      break;
  }
}

std::string ZeekModel::ConnState(uint64_t orig_bytes,
                                 uint64_t resp_bytes) const {
  const Z os = orig_.state;
  const Z rs = resp_.state;
  const bool o_inactive = Inactive(os);
  const bool r_inactive = Inactive(rs);
  if (rs == Z::kReset) {
    if (os == Z::kSynSent || os == Z::kSynAckSent ||
        (os == Z::kReset && orig_bytes == 0 && resp_bytes == 0)) {
      return "REJ";
    }
    return o_inactive ? "RSTRH" : "RSTR";
  }
  if (os == Z::kReset) {
    if (r_inactive) {
      // ^?S[^HAFGIQ]*R.* : originator SYN then RST, nothing else from it.
      size_t i = 0;
      if (i < history_.size() && history_[i] == '^') {
        ++i;
      }
      if (i < history_.size() && history_[i] == 'S') {
        for (++i; i < history_.size(); ++i) {
          const char c = history_[i];
          if (c == 'R') {
            return "RSTOS0";
          }
          if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' ||
              c == 'Q') {
            break;
          }
        }
      }
      return "OTH";
    }
    return "RSTO";
  }
  if (os == Z::kClosed && rs == Z::kClosed) {
    return "SF";
  }
  if (os == Z::kClosed) {
    return r_inactive ? "SH" : "S2";
  }
  if (rs == Z::kClosed) {
    return o_inactive ? "SHR" : "S3";
  }
  if (os == Z::kSynSent && rs == Z::kInactive) {
    return "S0";
  }
  if (os == Z::kEstablished && rs == Z::kEstablished) {
    return "S1";
  }
  return "OTH";
}

}  // namespace tcpstate
