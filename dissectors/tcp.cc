#include "dissectors/tcp.h"

#include <algorithm>

#include "dissectors/tcp_options.h"

namespace tcpstate {

ParseResult<TcpView> TcpView::Parse(absl::Span<const uint8_t> captured,
                                    uint32_t declared_length,
                                    SegmentExtent extent) {
  using Result = ParseResult<TcpView>;
  const bool fragment = extent == SegmentExtent::kFirstFragment;
  if (declared_length < kMinHeaderSize && !fragment) {
    return Result::Error(DecodeError::kTcpSegmentTooShort);
  }
  TcpView view;
  view.bytes_ = captured.subspan(
      0, std::min<size_t>(captured.size(), declared_length));
  if (view.bytes_.size() < kMinHeaderSize) {
    return Result::Error(DecodeError::kTcpTruncated);
  }
  view.header_length_ = static_cast<size_t>(view.bytes_[12] >> 4) * 4;
  if (view.header_length_ < kMinHeaderSize ||
      (view.header_length_ > declared_length && !fragment)) {
    return Result::Error(DecodeError::kTcpBadDataOffset);
  }
  // A first fragment may end inside the header: treat it as cut.
  view.declared_length_ = std::max<uint32_t>(
      declared_length, static_cast<uint32_t>(view.header_length_));
  const size_t options_end =
      std::min(view.bytes_.size(), view.header_length_);
  view.options_ =
      view.bytes_.subspan(kMinHeaderSize, options_end - kMinHeaderSize);
  view.payload_ = view.bytes_.subspan(options_end);
  view.complete_ = view.bytes_.size() == view.declared_length_;
  return Result::Ok(view);
}

void FillTcpFields(const TcpView& tcp, TcpSegment& segment) {
  segment.src_port = tcp.source_port();
  segment.dst_port = tcp.destination_port();
  segment.seq = tcp.seq();
  segment.ack = tcp.ack();
  segment.flags = tcp.flags();
  segment.window = tcp.window();
  segment.urgent_pointer = tcp.urgent_pointer();
  segment.options = ParseTcpOptions(tcp.options(), tcp.options_length());
  segment.payload_len = tcp.payload_length();
  segment.payload = tcp.payload();
}

void CountTcpProblems(const TcpView& tcp, const TcpSegment& segment,
                      DecodeCounters& counters) {
  if (tcp.options_truncated()) {
    counters.Bump(DecodeCounter::kTcpOptionsTruncated);
  } else if (tcp.payload().size() < tcp.payload_length()) {
    counters.Bump(DecodeCounter::kTcpPayloadTruncated);
  }
  if (segment.options.malformed) {
    counters.Bump(DecodeCounter::kTcpOptionBadLength);
  }
  if (segment.src_port == 0 || segment.dst_port == 0) {
    counters.Bump(DecodeCounter::kTcpZeroPort);
  }
  CountTcpOddities(segment, counters);
}

void CountTcpOddities(const TcpSegment& segment, DecodeCounters& counters) {
  constexpr uint8_t kMaxWindowScale = 14;  // RFC 7323 section 2.3
  const TcpFlags flags = segment.flags;
  if (segment.options.mss.has_value() && !flags.syn()) {
    counters.Bump(DecodeCounter::kTcpMssOnNonSyn);
  }
  if (segment.options.window_scale.has_value() &&
      *segment.options.window_scale > kMaxWindowScale) {
    counters.Bump(DecodeCounter::kTcpWindowScaleTooLarge);
  }
  if (flags.bits == 0) {
    counters.Bump(DecodeCounter::kTcpNullFlags);
  } else if (flags.syn() && flags.rst()) {
    counters.Bump(DecodeCounter::kTcpSynRst);
  } else if (flags.syn() && flags.fin()) {
    counters.Bump(DecodeCounter::kTcpSynFin);
  } else if (flags.fin() && flags.psh() && flags.urg()) {
    counters.Bump(DecodeCounter::kTcpXmasFlags);
  }
}

}  // namespace tcpstate
