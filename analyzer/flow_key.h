#pragma once

#include <cstdint>
#include <cstring>
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

// A fast hash of a flow key for the flow table: multiply-fold mixing of the
// key's words (wyhash's construction), padding bytes never read. `seed`
// differs per process (FlowTable takes an address, as absl::Hash does), so
// crafted traffic cannot aim at collisions; nothing depends on hash order.
inline uint64_t FlowKeyHash(const FlowKey& k, uint64_t seed) {
  auto fold = [](uint64_t a, uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  };
  uint64_t w[4];
  std::memcpy(&w[0], k.low.addr.raw().data(), 16);
  std::memcpy(&w[2], k.high.addr.raw().data(), 16);
  const uint64_t tail = uint64_t{k.low.port} | uint64_t{k.high.port} << 16 |
                        uint64_t{k.low.addr.is_v6()} << 32 |
                        uint64_t{k.high.addr.is_v6()} << 33;
  const uint64_t a = fold(w[0] ^ 0xa0761d6478bd642full, w[1] ^ 0xe7037ed1a0b428dbull);
  const uint64_t b = fold(w[2] ^ 0x8ebc6af09c88c6e3ull, w[3] ^ 0x589965cc75374cc3ull);
  return fold(a ^ tail ^ seed, b ^ 0xa0761d6478bd642full);
}

}  // namespace tcpstate
