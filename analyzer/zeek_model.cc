#include "analyzer/zeek_model.h"

#include <cctype>

namespace tcpstate {
namespace {

using Z = ZeekState;

bool Inactive(Z s) { return s == Z::kInactive || s == Z::kPartial; }

enum OnceLetter : uint32_t {
  kLetterA = 1u << 0,  // pure ACK
  kLetterD = 1u << 1,  // payload
  kLetterI = 1u << 2,  // FIN+RST
  kLetterQ = 1u << 3,  // SYN+FIN or SYN+RST
  kLetterS = 1u << 4,  // first SYN
  kLetterF = 1u << 5,
  kLetterR = 1u << 6,
};

// Zeek's log-scaled history letters: at the 1st, 10th, 100th... event.
bool Scaled(uint64_t& counter, uint64_t& threshold) {
  ++counter;
  if (counter == threshold) {
    threshold *= 10;
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
  UpdateHistory(seg, self, from_orig, facts);
  UpdateState(seg, self, peer, from_orig);
}

void ZeekModel::UpdateHistory(const TcpSegment& seg, ZeekSide& self,
                              bool from_orig, const ZeekSegmentFacts& facts) {
  const TcpFlags f = seg.flags;
  if (f.syn()) {
    if (f.fin() || f.rst()) {
      if ((self.seen_letters & kLetterQ) == 0) {
        self.seen_letters |= kLetterQ;
        Add('q', from_orig);
      }
    }
    if (!self.has_syn_seq || self.last_syn_seq != seg.seq) {
      Add(f.ack() ? 'h' : 's', from_orig);
    }
    self.has_syn_seq = true;
    self.last_syn_seq = seg.seq;
  }
  if (f.fin() && f.rst() && (self.seen_letters & kLetterI) == 0) {
    self.seen_letters |= kLetterI;
    Add('i', from_orig);
  }
  if (f.fin()) {
    const SeqNum end = seg.seq.Plus(seg.payload_len);
    if (!self.has_fin_end || self.last_fin_end != end) {
      Add('f', from_orig);
    }
    self.has_fin_end = true;
    self.last_fin_end = end;
  }
  if (f.rst()) {
    if (!self.has_rst_seq || self.last_rst_seq != seg.seq) {
      Add('r', from_orig);
    }
    self.has_rst_seq = true;
    self.last_rst_seq = seg.seq;
  }
  if (seg.payload_len > 0 && (self.seen_letters & kLetterD) == 0) {
    self.seen_letters |= kLetterD;
    Add('d', from_orig);
  } else if (seg.payload_len == 0 && f.ack() && !f.syn() && !f.fin() &&
             !f.rst() && (self.seen_letters & kLetterA) == 0) {
    self.seen_letters |= kLetterA;
    Add('a', from_orig);
  }
  if (facts.is_retransmission &&
      Scaled(self.retransmits, self.retransmit_threshold)) {
    Add('t', from_orig);
  }
  if (seg.window == 0 && !f.rst() && !f.syn() &&
      Scaled(self.zero_windows, self.zero_window_threshold)) {
    Add('w', from_orig);
  }
  if (seg.checksum == ChecksumStatus::kBad &&
      Scaled(self.bad_checksums, self.bad_checksum_threshold)) {
    Add('c', from_orig);
  }
  if (facts.is_gap && Scaled(self.gaps, self.gap_threshold)) {
    Add('g', from_orig);
  }
}

// Zeek's TCPSessionAdapter endpoint updates, simplified to what decides
// conn_state.
void ZeekModel::UpdateState(const TcpSegment& seg, ZeekSide& self,
                            ZeekSide& peer, bool from_orig) {
  const TcpFlags f = seg.flags;
  const Z before = self.state;
  if (f.rst()) {
    // A RST after both sides closed does not change the outcome (SF).
    if (!(self.state == Z::kClosed && peer.state == Z::kClosed)) {
      self.state = Z::kReset;
    }
  } else if (f.fin()) {
    if (self.state != Z::kReset) {
      self.state = Z::kClosed;
    }
    if (peer.state == Z::kReset && peer.prev_state == Z::kClosed) {
      peer.state = Z::kClosed;  // FIN after RST after FIN: normal close
    }
  } else if (f.syn()) {
    if (f.ack()) {
      if (!from_orig && peer.state == Z::kSynSent) {
        self.state = Z::kEstablished;
        peer.state = Z::kEstablished;
      } else if (self.state == Z::kInactive) {
        self.state = Z::kSynAckSent;
      }
    } else if (self.state == Z::kInactive ||
               (self.state == Z::kPartial && Inactive(peer.state))) {
      self.state = Z::kSynSent;
    }
  } else if (self.state == Z::kInactive) {
    if (!from_orig && peer.state == Z::kSynSent && seg.payload_len == 0) {
      // ACK of a SYN before the SYN-ACK: ignored by Zeek.
    } else if (peer.state == Z::kEstablished) {
      self.state = Z::kEstablished;
    } else if (f.ack() || seg.payload_len > 0) {
      self.state = Z::kPartial;
    }
  } else if (self.state == Z::kSynAckSent && from_orig == false &&
             peer.state == Z::kEstablished) {
    self.state = Z::kEstablished;
  } else if (self.state == Z::kSynSent && from_orig &&
             peer.state == Z::kSynAckSent && f.ack()) {
    self.state = Z::kEstablished;
    peer.state = Z::kEstablished;
  }
  if (self.state != before) {
    self.prev_state = before;
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
