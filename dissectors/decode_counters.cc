#include "dissectors/decode_counters.h"

namespace tcpstate {

const char* DecodeCounterName(DecodeCounter c) {
  switch (c) {
#define TCPSTATE_NAME_CASE(id, name) \
  case DecodeCounter::id:            \
    return name;
    TCPSTATE_DECODE_COUNTERS(TCPSTATE_NAME_CASE)
#undef TCPSTATE_NAME_CASE
    case DecodeCounter::kCount:
      break;
  }
  return "unknown_counter";
}

}  // namespace tcpstate
