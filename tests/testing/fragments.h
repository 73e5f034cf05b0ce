#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/testing/packet_builder.h"

namespace tcpstate {

// Splits the raw IP packet b.IpBytes() into fragments of at most
// `data_size` bytes of data each (a multiple of 8), in offset order. IPv4:
// the header is copied with total length, MF and offset set. IPv6: `b`
// must end its extension headers with Ipv6Fragment(0, false, id); the
// headers before it are copied, payload length, offset and M set.
std::vector<std::vector<uint8_t>> SplitIntoFragments(const PacketBuilder& b,
                                                     bool ipv6,
                                                     size_t data_size);

}  // namespace tcpstate
