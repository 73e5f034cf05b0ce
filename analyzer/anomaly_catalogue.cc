#include "analyzer/anomaly_catalogue.h"

#include <utility>

namespace tcpstate {
namespace {

using K = AnomalyKind;
constexpr Severity kInfo = Severity::kInfo;
constexpr Severity kWarn = Severity::kWarning;
constexpr Severity kErr = Severity::kError;

constexpr AnomalyInfo kCatalogue[] = {
    {K::kCloseWaitStuck, "close_wait_stuck", kWarn, "lifecycle",
     "An endpoint ACKed its peer's FIN and sent no FIN of its own for at "
     "least --stuck-after, measured to the end of the record (capture end, "
     "eviction or idle drop; live: now). It may still be sending data "
     "(half-close)."},
    {K::kFinWait2Stuck, "fin_wait_2_stuck", kWarn, "lifecycle",
     "An endpoint's FIN was ACKed, and its peer then sent neither a FIN nor "
     "anything else for at least --stuck-after (half-open FIN_WAIT_2)."},
    {K::kFinWait1Stuck, "fin_wait_1_stuck", kWarn, "lifecycle",
     "An endpoint's FIN was never acknowledged as far as it knows: it ends "
     "in FIN_WAIT_1 or CLOSING and retransmitted the FIN 3 or more times or "
     "waited at least --stuck-after; also when the peer's ACK was "
     "captured but lost after the tap."},
    {K::kLastAckStuck, "last_ack_stuck", kWarn, "lifecycle",
     "The passive closer's FIN was never acknowledged as far as it knows: "
     "it ends in LAST_ACK and retransmitted the FIN 3 or more times or "
     "waited at least --stuck-after."},
    {K::kSynUnanswered, "syn_unanswered", kWarn, "lifecycle",
     "A SYN (and its retries) got no reply at all from the peer in the "
     "capture."},
    {K::kHalfOpenHandshake, "half_open_handshake", kWarn, "lifecycle",
     "A SYN-ACK was sent but the handshake's final ACK never reached the "
     "server: it ended in SYN_RECEIVED or gave up."},
    {K::kRefused, "refused", kWarn, "lifecycle",
     "A SYN was answered by an acceptable RST (nothing listening)."},
    {K::kRstTeardown, "rst_teardown", kWarn, "lifecycle",
     "An established or closing connection ended with an acceptable RST "
     "(RFC 9293 3.10.7.4 / RFC 5961: sequence number exactly RCV.NXT)."},
    {K::kRstIgnored, "rst_ignored", kWarn, "lifecycle",
     "A RST its receiver could not accept (sequence number not RCV.NXT, RFC "
     "5961) and the connection went on, or one its supposed sender never "
     "sent (it kept sending): possible injection."},
    {K::kPortReuse, "port_reuse", kInfo, "lifecycle",
     "A new SYN reused the 4-tuple of a previous connection that was in "
     "TIME_WAIT or not closed."},
    {K::kDataAfterClose, "data_after_close", kWarn, "lifecycle",
     "Payload sent after the sender's own FIN (beyond the FIN's sequence "
     "number) or after an accepted RST."},
    {K::kSimultaneousOpen, "simultaneous_open", kInfo, "lifecycle",
     "Both endpoints sent a SYN before receiving the other's (RFC 9293 "
     "3.5)."},
    {K::kSimultaneousClose, "simultaneous_close", kInfo, "lifecycle",
     "An endpoint received its peer's FIN before the ACK of its own: it "
     "went through CLOSING."},
    {K::kMidStream, "mid_stream", kInfo, "lifecycle",
     "No SYN seen: the capture started mid-connection; roles and states "
     "are inferred."},
    {K::kSynFlood, "syn_flood", kErr, "host",
     "A host was left with many half-open handshakes from many sources "
     "within a window (--syn-flood-min, --syn-flood-sources, "
     "--syn-flood-window)."},
    {K::kPredictableIsn, "predictable_isn", kWarn, "host",
     "A host's initial sequence numbers, across 4 or more different "
     "4-tuples, are zero, constant, a fixed increment, or follow a clock "
     "(or Nmap's SP index is below 6): the next ISN can be guessed."},
    {K::kRetransmission, "retransmission", kWarn, "data_transfer",
     "A segment with payload, SYN or FIN whose sequence number does not "
     "advance the sender's next sequence number, and no more specific "
     "class applies."},
    {K::kFastRetransmission, "fast_retransmission", kWarn, "data_transfer",
     "A retransmission sent after 2 or more duplicate ACKs asking for it, "
     "within 20 ms of the last one."},
    {K::kSpuriousRetransmission, "spurious_retransmission", kInfo,
     "data_transfer",
     "A retransmission of data the receiver had already acknowledged."},
    {K::kOutOfOrder, "out_of_order", kWarn, "data_transfer",
     "A segment that does not advance the sequence, seen within the "
     "reordering threshold (the handshake RTT, else 3 ms) of the sender's "
     "highest segment."},
    {K::kLostSegment, "lost_segment", kWarn, "data_transfer",
     "A sequence gap: the segment starts beyond the next expected sequence "
     "number, so data was never captured (lost before the tap, or by the "
     "capture)."},
    {K::kDuplicateAck, "duplicate_ack", kInfo, "data_transfer",
     "A pure ACK repeating the previous ACK number and window (Wireshark's "
     "rule), not a keep-alive or window update."},
    {K::kZeroWindow, "zero_window", kWarn, "data_transfer",
     "A receiver advertised a zero window (not on SYN, FIN or RST)."},
    {K::kZeroWindowProbe, "zero_window_probe", kInfo, "data_transfer",
     "A 1-byte segment at the next sequence number sent into the peer's "
     "zero window, or (Linux) a 0-1-byte segment at the next sequence "
     "number minus one while the peer's window is 0."},
    {K::kWindowFull, "window_full", kInfo, "data_transfer",
     "A segment that fills the receiver's advertised window exactly."},
    {K::kKeepalive, "keepalive", kInfo, "data_transfer",
     "A 0- or 1-byte segment at the next sequence number minus one while "
     "the peer's window is open: a keep-alive probe (never counted as a "
     "retransmission)."},
    {K::kDuplicatePacket, "duplicate_packet", kInfo, "data_transfer",
     "The same packet captured twice (same IP ID, sequence, ACK, flags, "
     "length, window and TCP timestamp): a capture artefact, not a "
     "retransmission."},
};

static_assert(sizeof(kCatalogue) / sizeof(kCatalogue[0]) == kNumAnomalyKinds,
              "every AnomalyKind needs a catalogue entry");

}  // namespace

absl::Span<const AnomalyInfo> AnomalyCatalogue() { return kCatalogue; }

const AnomalyInfo& InfoOf(AnomalyKind kind) {
  return kCatalogue[static_cast<size_t>(kind)];
}

std::optional<AnomalyKind> AnomalyKindFromId(absl::string_view id) {
  for (const AnomalyInfo& info : kCatalogue) {
    if (id == info.id) {
      return info.kind;
    }
  }
  return std::nullopt;
}

Anomaly MakeAnomaly(AnomalyKind kind, std::string endpoint,
                    uint64_t first_packet, uint64_t last_packet, absl::Time t,
                    absl::Duration duration, uint64_t count,
                    std::vector<uint64_t> packets, std::string detail) {
  Anomaly a;
  a.kind = InfoOf(kind).id;
  a.severity = InfoOf(kind).severity;
  a.endpoint = std::move(endpoint);
  a.first_packet = first_packet;
  a.last_packet = last_packet;
  a.t = t;
  a.duration = duration;
  a.count = count;
  a.packets = std::move(packets);
  a.detail = std::move(detail);
  return a;
}

}  // namespace tcpstate
