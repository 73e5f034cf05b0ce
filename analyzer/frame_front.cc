#include "analyzer/frame_front.h"

#include <utility>

#include "analyzer/connection.h"
#include "dissectors/decode.h"

namespace tcpstate {

FrameFront::FrameFront(const ReassemblyOptions& reassembly)
    : report_fragments_(reassembly.enabled), reassembler_(reassembly) {}

absl::Time FrameFront::Take(const Frame& frame, SegmentFn on_segment) {
  ++summary_.packets;
  summary_.bytes += frame.bytes.size();
  if (!summary_.first_packet_time) {
    summary_.first_packet_time = frame.timestamp;
  }
  if (!summary_.last_packet_time ||
      frame.timestamp > *summary_.last_packet_time) {
    summary_.last_packet_time = frame.timestamp;
  }
  const absl::Time now = *summary_.last_packet_time;
  reassembler_.Expire(now, summary_.decode);
  DecodeOptions decode;
  decode.report_fragments = report_fragments_;
  Feed(Decode(frame.link, frame.bytes, summary_.decode, decode),
       SegmentContext{frame.number, now}, on_segment);
  return now;
}

void FrameFront::Feed(const DecodedPacket& d, const SegmentContext& context,
                      SegmentFn on_segment) {
  if (d.outcome == DecodeOutcome::kFragment) {
    FeedFragment(d, context, on_segment);
  } else if (d.segment) {
    ++summary_.tcp_packets;
    on_segment(*d.segment, context);
  }
}

// A completed datagram is analysed with the number and time of the
// fragment that completed it (Wireshark's "reassembled in"). Each round
// goes one tunnel deeper, so DecodeReassembled's depth limit ends the
// loop; the bound is a second guard.
void FrameFront::FeedFragment(DecodedPacket d, const SegmentContext& context,
                              SegmentFn on_segment) {
  std::optional<CompletedDatagram> datagram;
  for (int round = 0; d.outcome == DecodeOutcome::kFragment && round < 8;
       ++round) {
    // Add() copies the fragment, whose spans may borrow `datagram`.
    std::optional<CompletedDatagram> done =
        reassembler_.Add(*d.fragment, context.t, summary_.decode);
    if (!done.has_value()) {
      return;
    }
    datagram = std::move(done);
    d = DecodeReassembled(datagram->View(), summary_.decode);
  }
  if (d.segment) {
    ++summary_.tcp_packets;
    on_segment(*d.segment, context);
  }
}

void FrameFront::ExpireFragments(absl::Time now) {
  reassembler_.Expire(now, summary_.decode);
}

void FrameFront::Finish(std::optional<absl::Time> end) {
  if (end) {
    reassembler_.Expire(*end, summary_.decode);
  }
  reassembler_.Finish(summary_.decode);
}

}  // namespace tcpstate
