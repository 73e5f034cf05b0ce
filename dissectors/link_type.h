#pragma once

#include <cstdint>

namespace tcpstate {

// Link-layer framings the dissectors understand. The capture source maps
// libpcap DLT values to these; nothing here knows libpcap.
enum class LinkType : uint8_t {
  kEthernet,   // DLT_EN10MB, with 802.1Q / 802.1ad tag stacks
  kLinuxSll,   // DLT_LINUX_SLL (cooked, "-i any" before libpcap 1.10)
  kLinuxSll2,  // DLT_LINUX_SLL2
  kNull,       // DLT_NULL: 4-byte address family in the capturing host's order
  kLoop,       // DLT_LOOP: 4-byte address family in network order
  kRaw,        // DLT_RAW / LINKTYPE_RAW: starts at the IP header (v4 or v6)
  kIpv4,       // LINKTYPE_IPV4
  kIpv6,       // LINKTYPE_IPV6
  kFddi,       // DLT_FDDI: FDDI MAC header + 802.2 LLC/SNAP
};

const char* LinkTypeName(LinkType type);

}  // namespace tcpstate
