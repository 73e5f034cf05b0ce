#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "dissectors/decode_counters.h"

namespace tcpstate {

// The non-zero counters as "name=value" joined by spaces, in declaration
// order: "" when nothing was counted. Makes "exactly these counters moved"
// a one-line, readable assertion.
inline std::string NonZeroCounters(const DecodeCounters& counters) {
  std::string out;
  for (size_t i = 0; i < kNumDecodeCounters; ++i) {
    const auto c = static_cast<DecodeCounter>(i);
    if (counters.Get(c) == 0) {
      continue;
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", DecodeCounterName(c), "=",
                    counters.Get(c));
  }
  return out;
}

}  // namespace tcpstate
