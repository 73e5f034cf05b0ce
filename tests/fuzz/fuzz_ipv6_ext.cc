// libFuzzer target: the IPv6 header and its extension-header chain
// (Ipv6View::Parse). Input: one IPv6 packet from the version nibble on.
// The fixed header's version is forced to 6 so every input reaches the
// extension-header walk.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "dissectors/ipv6.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> packet(data, data + size);
  if (!packet.empty()) {
    packet[0] = static_cast<uint8_t>(0x60 | (packet[0] & 0x0F));
  }
  const auto parsed = tcpstate::Ipv6View::Parse(absl::MakeConstSpan(packet));
  if (!parsed.ok()) {
    return 0;
  }
  const tcpstate::Ipv6View& ip = parsed.view();
  volatile uint32_t sink = ip.payload_length() + ip.upper_protocol() +
                           ip.fragment_offset() + ip.upper_length();
  for (uint8_t b : ip.upper_payload()) {
    sink = sink + b;
  }
  for (uint8_t b : ip.final_destination()) {
    sink = sink + b;
  }
  (void)sink;
  return 0;
}
