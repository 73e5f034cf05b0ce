#include "dissectors/tcp.h"

#include <algorithm>

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
