// libFuzzer target: the TCP header (TcpView::Parse) and its options
// (ParseTcpOptions), then FillTcpFields and CountTcpProblems, exactly as
// Decode() runs them.
//
// Input: 2 bytes declared segment length (big-endian), 1 byte flags
// (bit 0: first fragment), then the captured segment bytes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "dissectors/decode_counters.h"
#include "dissectors/tcp.h"
#include "dissectors/tcp_options.h"
#include "dissectors/tcp_segment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) {
    return 0;
  }
  const uint32_t declared = (static_cast<uint32_t>(data[0]) << 8) | data[1];
  const bool fragment = (data[2] & 1) != 0;
  const std::vector<uint8_t> captured(data + 3, data + size);
  const absl::Span<const uint8_t> span(captured);

  // Options on their own, with a declared area that may exceed the capture.
  const tcpstate::TcpOptions raw = tcpstate::ParseTcpOptions(
      span, std::min<size_t>(declared % 64, 40));
  (void)raw;

  const tcpstate::ParseResult<tcpstate::TcpView> parsed =
      tcpstate::TcpView::Parse(span, declared,
                               fragment
                                   ? tcpstate::SegmentExtent::kFirstFragment
                                   : tcpstate::SegmentExtent::kComplete);
  if (!parsed.ok()) {
    return 0;
  }
  const tcpstate::TcpView& tcp = parsed.view();
  // The production path: what Decode() does with a parsed header.
  tcpstate::TcpSegment seg;
  tcpstate::FillTcpFields(tcp, seg);
  volatile uint8_t sink = 0;
  for (uint8_t b : seg.payload) {
    sink = sink ^ b;
  }
  for (uint8_t b : tcp.bytes()) {
    sink = sink ^ b;
  }
  (void)sink;
  tcpstate::DecodeCounters counters;
  tcpstate::CountTcpProblems(tcp, seg, counters);
  return 0;
}
