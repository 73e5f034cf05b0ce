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

}  // namespace tcpstate
