// libFuzzer target: link layer -> IP -> tunnels -> TCP through Decode().
// The first input byte picks the link type; the rest is one captured frame.

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/decode.h"
#include "dissectors/link_type.h"

namespace {

constexpr tcpstate::LinkType kLinkTypes[] = {
    tcpstate::LinkType::kEthernet, tcpstate::LinkType::kLinuxSll,
    tcpstate::LinkType::kLinuxSll2, tcpstate::LinkType::kNull,
    tcpstate::LinkType::kLoop,     tcpstate::LinkType::kRaw,
    tcpstate::LinkType::kIpv4,     tcpstate::LinkType::kIpv6,
    tcpstate::LinkType::kFddi,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  const tcpstate::LinkType link =
      kLinkTypes[data[0] % (sizeof(kLinkTypes) / sizeof(kLinkTypes[0]))];
  // Copy into an exactly sized heap buffer so ASan sees any overread.
  const size_t length = size - 1;
  uint8_t* frame = new uint8_t[length == 0 ? 1 : length];
  for (size_t i = 0; i < length; ++i) {
    frame[i] = data[1 + i];
  }
  tcpstate::DecodeCounters counters;
  const tcpstate::DecodedPacket d =
      tcpstate::Decode(link, absl::MakeConstSpan(frame, length), counters);
  if (d.segment.has_value()) {
    // Touch the borrowed payload so a span past the frame is caught.
    volatile uint8_t sink = 0;
    for (uint8_t b : d.segment->payload) {
      sink = sink ^ b;
    }
    (void)sink;
  }
  delete[] frame;
  return 0;
}
