#pragma once

#include <optional>
#include <utility>

#include "dissectors/decode_counters.h"

namespace tcpstate {

// The typed reason a header view could not be built. Every reason is one of
// the named decode counters, so a failed parse maps to exactly one counter.
using DecodeError = DecodeCounter;

// Either a valid view or the typed reason there is none. Views have private
// constructors; their static Parse() is the only way to obtain one, so a view
// that exists has passed every bounds check its accessors rely on.
template <typename View>
class ParseResult {
 public:
  static ParseResult Ok(View view) { return ParseResult(std::move(view)); }
  static ParseResult Error(DecodeError error) { return ParseResult(error); }

  bool ok() const { return view_.has_value(); }
  // Only meaningful when ok().
  const View& view() const { return *view_; }
  // Only meaningful when !ok().
  DecodeError error() const { return error_; }

 private:
  explicit ParseResult(View view) : view_(std::move(view)) {}
  explicit ParseResult(DecodeError error) : error_(error) {}

  std::optional<View> view_;
  DecodeError error_ = DecodeError::kCount;
};

}  // namespace tcpstate
