#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "analyzer/packed_time.h"
#include "dissectors/seq_num.h"

namespace tcpstate {

// Round trips of the data one endpoint sends, through the whole
// connection, as tcptrace -r and Wireshark's tcp.analysis.ack_rtt take
// them: from a data segment, as the tap saw it leave, to the peer's ACK
// whose number is exactly that segment's end. Karn's rule (RFC 6298 3):
// no sample from a segment sent more than once, since its ACK may answer
// either copy. Fed once per segment by the connection (OnSent for this
// endpoint's data, OnAck for the peer's ACKs).
//
// Memory is fixed (no allocation, 104 bytes): kSlots unacknowledged data
// segments are remembered; when all are busy the newest segment takes the
// newest one's slot, so the oldest in flight are timed as they are
// acknowledged and the last segment of a burst, the one a cumulative ACK
// names, is timed too; a long fat transfer gets a subset of the samples
// (docs/accuracy.md "Round trips" compares slot counts). Slot times are 32-bit
// nanoseconds after a base: a segment sent 4.29 s or more after one still
// waiting takes precedence, and the waiting one is dropped (it could only
// have given a sample of more than 4.29 s); samples otherwise may be of
// any length.
class RttTracker {
 public:
  static constexpr int kSlots = 6;

  // A segment with `len` > 0 payload bytes from `seq`, sent at `t`;
  // `retransmission` when the connection classified it as one.
  void OnSent(SeqNum seq, uint32_t len, PackedTime t, bool retransmission);
  // The peer acknowledged everything before `ack` at `t`.
  void OnAck(SeqNum ack, PackedTime t);

  uint32_t samples() const { return count_; }
  absl::Duration min() const;
  absl::Duration max() const;
  absl::Duration mean() const;
  // The population standard deviation of the samples.
  absl::Duration stddev() const;

 private:
  void Add(int64_t ns);
  void Rebase(PackedTime t);
  void Remove(int slot);

  PackedTime base_;            // slot times are nanoseconds after it
  uint32_t end_[kSlots] = {};  // sequence number just past each segment
  uint32_t sent_ns_[kSlots] = {};
  uint16_t len_[kSlots] = {};  // its payload (an IP packet holds < 64 KiB)
  uint8_t used_ = 0;            // bit per slot
  uint8_t resent_ = 0;          // bit per slot: sent more than once
  // Welford's running mean and sum of squared deviations (nanoseconds):
  // the extremes exact, the spread in a float (24 bits of mantissa).
  // (Ordered so that the fields pack.)
  uint32_t count_ = 0;
  float m2_ = 0;
  int64_t min_ns_ = 0;
  int64_t max_ns_ = 0;
  double mean_ns_ = 0;
};

}  // namespace tcpstate
