// The ladder a connection records for its diagram: segments the receiver
// proved it never got, and the ladder on the report record.
#include <optional>

#include "analyzer/connection.h"

namespace tcpstate {

// RFC 9293 3.8.1: a sender retransmits only what was not acknowledged. When
// the kept original starts exactly at the receiver's highest ACK (the
// receiver's RCV.NXT: it was waiting for this very segment) and the
// receiver has sent something at least a handshake round trip after the
// original passed the capture point (time for an ACK of it to reach the
// tap) without acknowledging it, the original never arrived: it was lost
// after the tap. An original inside a hole (received, but not yet
// cumulatively ACKed) does not start at RCV.NXT and is left alone.
void Connection::NoteLostOriginal(const TcpSegment& seg, const Side& x,
                                  const Side& y, bool from_client) {
  const bool fin_again =
      seg.flags.fin() && x.fin_sent &&
      seg.seq.Plus(seg.payload_len) == x.fin_seq;
  const bool data_again =
      seg.payload_len > 0 && x.seq_known &&
      seg.seq.Plus(seg.payload_len).IsBeforeOrEqual(x.max_end);
  if ((!fin_again && !data_again) || !y.has_ack || seg.flags.syn()) {
    return;
  }
  const LadderSegment* original =
      ladder()->FindOriginal(from_client, seg.seq.value());
  if (original == nullptr || original->lost_after_tap ||
      original->packet == 0) {
    return;
  }
  const absl::Duration rtt = x.flow.irtt;
  // A zero window refuses what arrived (a window probe): no proof.
  if (y.max_ack != seg.seq || y.flow.window == 0 ||
      y.last_packet <= original->packet ||
      y.last_time - original->t < rtt) {
    return;
  }
  ladder()->MarkLostAfterTap(original->packet);
}

void Connection::AddLadder(ConnectionRecord& rec) const {
  if (ladder()) {
    rec.ladder = ladder()->Build(rec.client.isn, rec.server.isn);
  }
}

}  // namespace tcpstate
