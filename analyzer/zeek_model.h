#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "analyzer/short_string.h"

#include "dissectors/seq_num.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// Zeek's coarse per-endpoint state (TCP_Endpoint.h), kept beside our RFC
// states only to produce Zeek-compatible `conn_state` and `history`.
enum class ZeekState : uint8_t {
  kInactive,
  kSynSent,
  kSynAckSent,
  kPartial,
  kEstablished,
  kClosed,  // sent FIN
  kReset,
};

struct ZeekSide {
  ZeekSide()
      : has_syn_seq(false),
        has_fin_end(false),
        has_rst_seq(false),
        stream_started(false),
        has_above(false) {}

  ZeekState state = ZeekState::kInactive;
  ZeekState prev_state = ZeekState::kInactive;
  uint8_t seen_letters = 0;  // bit per once-only letter
  // history bookkeeping and content (one bit each: a connection holds two)
  bool has_syn_seq : 1;
  bool has_fin_end : 1;
  bool has_rst_seq : 1;
  bool stream_started : 1;
  bool has_above : 1;
  SeqNum last_syn_seq;
  SeqNum last_fin_end;
  SeqNum last_rst_seq;
  // Log-scaled letters (Zeek's 1st, 10th, 100th... event): counts
  // saturate at 2^32 - 1, past Zeek's thresholds up to 10^9, and each
  // threshold is 10^exponent.
  uint32_t retransmits = 0, zero_windows = 0, gaps = 0;
  uint8_t retransmit_exponent = 0, zero_window_exponent = 0, gap_exponent = 0;
  // Content as Zeek's reassembler sees it: the end of the contiguous data
  // and one block held above a hole.
  SeqNum contiguous_end;
  SeqNum above_begin;
  SeqNum above_end;
};

// Facts about one segment the Zeek model needs beyond the header.
struct ZeekSegmentFacts {
  bool is_retransmission = false;  // payload that does not advance last seq
  bool is_gap = false;             // content gap (unused: see TrackContent)
};

class ZeekModel {
 public:
  // `from_orig`: the segment was sent by the originator (our client).
  void OnSegment(const TcpSegment& seg, bool from_orig,
                 const ZeekSegmentFacts& facts);
  // Marks the history as flipped ('^') when roles were swapped.
  void SetFlipped() { history_.push_front('^'); }

  absl::string_view history() const { return history_.view(); }
  // Zeek's conn_state from the two endpoint states (main.zeek conn_state()).
  std::string ConnState(uint64_t orig_bytes, uint64_t resp_bytes) const;

 private:
  void UpdateState(const TcpSegment& seg, ZeekSide& self, ZeekSide& peer,
                   bool from_orig);
  void UpdateInactive(const TcpSegment& seg, ZeekSide& self, ZeekSide& peer,
                      bool from_orig);
  static void SetState(ZeekSide& side, ZeekState state);
  void UpdateHistory(const TcpSegment& seg, ZeekSide& self,
                     const ZeekSide& peer, bool from_orig,
                     const ZeekSegmentFacts& facts);
  void UpdateFlagLetters(const TcpSegment& seg, ZeekSide& self, bool from_orig);
  void Add(char letter, bool from_orig);
  static void TrackContent(const TcpSegment& seg, ZeekSide& self);
  void CheckGap(SeqNum ack, ZeekSide& sender, bool sender_is_orig);

  ZeekSide orig_;
  ZeekSide resp_;
  ShortString history_;  // inline up to 15 letters
};

}  // namespace tcpstate
