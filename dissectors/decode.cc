#include "dissectors/decode.h"

namespace tcpstate {

// Placeholder until the dissector views land; counts everything as non-IP.
DecodedPacket Decode(LinkType /*link*/, absl::Span<const uint8_t> /*bytes*/,
                     DecodeCounters& counters) {
  counters.Bump(DecodeCounter::kNonIp);
  return DecodedPacket{};
}

}  // namespace tcpstate
