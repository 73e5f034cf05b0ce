#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "analyzer/anomaly_catalogue.h"
#include "analyzer/packed_time.h"
#include "dissectors/seq_num.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// Per-direction sequence analysis state, one per sending endpoint, for the
// data-transfer anomalies (Wireshark's tcp.analysis definitions). It is kept
// for both endpoints of every open connection, so it is fixed-size: no
// per-segment history.
struct FlowDirection {
  // Window scale this endpoint offered in its SYN or SYN-ACK.
  static constexpr int8_t kScaleUnseen = -1;  // no SYN from it captured
  static constexpr int8_t kScaleAbsent = -2;  // its SYN had no option

  // One bit each (a connection holds two of these).
  FlowDirection()
      : seen(false),
        next_known(false),
        ack_known(false),
        last_was_keepalive(false),
        last_was_probe(false),
        has_syn_time(false),
        sent_syn_ack(false),
        window_on_syn(false) {}

  bool seen : 1;        // any segment from this endpoint
  bool next_known : 1;  // next_seq holds a value
  bool ack_known : 1;   // last_ack holds a value (an ACK was sent)
  // The last segment sent was a keep-alive (its ACK is no duplicate ACK).
  bool last_was_keepalive : 1;
  // The last segment sent was a zero-window probe.
  bool last_was_probe : 1;
  bool has_syn_time : 1;  // syn_time holds a value
  bool sent_syn_ack : 1;
  // The last window advertised was on a SYN, which is never scaled.
  bool window_on_syn : 1;
  int8_t syn_wscale = kScaleUnseen;
  uint16_t window = 0;       // last raw window advertised
  uint32_t dup_acks = 0;     // consecutive duplicate ACKs sent
  SeqNum next_seq;           // highest sequence number sent + 1
  SeqNum last_ack;           // ACK number of the last segment with ACK
  PackedTime next_seq_time;  // when next_seq last advanced
  PackedTime last_time;      // when this endpoint last sent anything
  PackedTime syn_time;       // its most recent SYN (without ACK)
  // Handshake round trip (SYN to the first ACK without SYN), copied into
  // both directions; zero while unknown.
  PackedDuration irtt;
};

// A set of AnomalyKind values.
using AnomalyKindSet = uint32_t;
inline constexpr AnomalyKindSet Bit(AnomalyKind k) {
  return AnomalyKindSet{1} << static_cast<unsigned>(k);
}
static_assert(kNumAnomalyKinds <= 32, "AnomalyKindSet is 32 bits");

// Classifies one segment sent by the endpoint that owns `fwd` (its peer
// owns `rev`) and updates both. Returns the data-transfer kinds to flag
// against the sender. Written once; called as (sender, receiver).
//
// At most one of keepalive, spurious_retransmission, fast_retransmission,
// out_of_order and retransmission is returned, in that order of precedence;
// zero_window, zero_window_probe, window_full, lost_segment and
// duplicate_ack are independent of them.
AnomalyKindSet ClassifySegment(const TcpSegment& seg, PackedTime t,
                               FlowDirection& fwd, FlowDirection& rev);

// Thresholds of the classifier (Wireshark's values).
inline constexpr absl::Duration kFastRetransmitWindow = absl::Milliseconds(20);
inline constexpr absl::Duration kDefaultReorderWindow = absl::Milliseconds(3);
inline constexpr int kMaxWindowShift = 14;  // RFC 7323 2.3

}  // namespace tcpstate
