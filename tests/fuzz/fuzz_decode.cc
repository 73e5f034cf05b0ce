// libFuzzer target: link layer -> IP -> tunnels -> TCP through Decode(),
// with and without fragment reporting; a reported fragment's data is also
// decoded as if it were a whole reassembled datagram (DecodeReassembled).
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

// Reads every byte of `bytes` so a span past the frame is caught.
void Touch(absl::Span<const uint8_t> bytes) {
  volatile uint8_t sink = 0;
  for (uint8_t b : bytes) {
    sink = sink ^ b;
  }
  (void)sink;
}

void DecodeAsFragment(tcpstate::LinkType link,
                      absl::Span<const uint8_t> frame) {
  tcpstate::DecodeCounters counters;
  tcpstate::DecodeOptions options;
  options.report_fragments = true;
  const tcpstate::DecodedPacket d =
      tcpstate::Decode(link, frame, counters, options);
  if (d.segment.has_value()) {
    Touch(d.segment->payload);
  }
  if (!d.fragment.has_value()) {
    return;
  }
  const tcpstate::IpFragment& f = *d.fragment;
  Touch(f.src);
  Touch(f.dst);
  Touch(f.pseudo_dst);
  Touch(f.data);
  tcpstate::ReassembledDatagram whole;
  whole.family = f.family;
  whole.src = f.src;
  whole.dst = f.dst;
  whole.pseudo_dst = f.pseudo_dst;
  whole.protocol = f.protocol;
  whole.header_length = f.header_length;
  whole.tunnel_depth = f.tunnel_depth;
  whole.payload = f.data;
  const tcpstate::DecodedPacket r = tcpstate::DecodeReassembled(whole, counters);
  if (r.segment.has_value()) {
    Touch(r.segment->payload);
  }
  if (r.fragment.has_value()) {
    Touch(r.fragment->data);
  }
}

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
    Touch(d.segment->payload);  // a span past the frame is caught
  }
  DecodeAsFragment(link, absl::MakeConstSpan(frame, length));
  delete[] frame;
  return 0;
}
