#pragma once

#include <cstdint>
#include <tuple>

#include "dissectors/ip_address.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// One side of a connection.
struct Endpoint4 {
  IpAddress addr;
  uint16_t port = 0;

  friend bool operator<(const Endpoint4& a, const Endpoint4& b) {
    return std::tie(a.addr, a.port) < std::tie(b.addr, b.port);
  }
  friend bool operator==(const Endpoint4& a, const Endpoint4& b) {
    return a.addr == b.addr && a.port == b.port;
  }
};

// The canonical 5-tuple of a TCP flow (the protocol is always TCP): the
// lower endpoint first, so both directions map to one key.
struct FlowKey {
  Endpoint4 low;
  Endpoint4 high;

  // Returns the key of `seg` and whether `seg` flows low -> high.
  static FlowKey Of(const TcpSegment& seg, bool* from_low) {
    Endpoint4 src{seg.src, seg.src_port};
    Endpoint4 dst{seg.dst, seg.dst_port};
    if (dst < src) {
      *from_low = false;
      return FlowKey{dst, src};
    }
    *from_low = true;
    return FlowKey{src, dst};
  }

  friend bool operator==(const FlowKey& a, const FlowKey& b) {
    return a.low == b.low && a.high == b.high;
  }
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    return H::combine(std::move(h), k.low.addr, k.low.port, k.high.addr,
                      k.high.port);
  }
};

}  // namespace tcpstate
