#pragma once

#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "dissectors/ipv4.h"
#include "dissectors/ipv6.h"

namespace tcpstate {

enum class IpFamily : uint8_t { kIpv4, kIpv6 };

// One IP fragment, as reassembly needs it (RFC 791 3.2 for IPv4, RFC 8200
// 4.5 for IPv6). Spans borrow the packet's bytes.
struct IpFragment {
  IpFamily family = IpFamily::kIpv4;
  absl::Span<const uint8_t> src;
  absl::Span<const uint8_t> dst;
  // 16 bits for IPv4, 32 for IPv6. With family, addresses and protocol it
  // names the datagram (RFC 791: "source, destination, protocol, and
  // identification"; RFC 8200 4.5: "Source Address, Destination Address,
  // and Fragment Identification").
  uint32_t identification = 0;
  // IPv4 protocol, or the fragment header's Next Header for IPv6.
  uint8_t protocol = 0;
  uint32_t offset = 0;  // in bytes
  bool more_fragments = false;
  // The fragment's data (after the IP header, or after the IPv6 fragment
  // header), complete: a fragment cut by the snaplen is not reported.
  absl::Span<const uint8_t> data;
  // The largest offset + length the datagram may reach: its IP length
  // field is 16 bits (RFC 791; RFC 8200 4.5 says to discard a fragment
  // whose reassembled Payload Length would exceed 65,535).
  uint32_t max_end = 0;
  // Tunnels this fragment is inside (0: the outermost IP layer).
  int tunnel_depth = 0;
  // Meaningful in the first fragment (offset 0) only: what the datagram's
  // decode takes from its IP header.
  absl::Span<const uint8_t> pseudo_dst;  // IPv6: final destination
  uint32_t header_length = 0;  // IP header (+ unfragmentable ext headers)
  uint16_t ip_id = 0;          // IPv4 identification (0 for IPv6)
  uint8_t ttl = 0;             // TTL or hop limit
};

// A datagram put back together from its fragments: the first fragment's
// metadata and the whole upper-layer payload. Spans borrow the caller's
// buffers.
struct ReassembledDatagram {
  IpFamily family = IpFamily::kIpv4;
  absl::Span<const uint8_t> src;
  absl::Span<const uint8_t> dst;
  absl::Span<const uint8_t> pseudo_dst;
  uint8_t protocol = 0;
  uint32_t header_length = 0;
  uint16_t ip_id = 0;
  uint8_t ttl = 0;
  int tunnel_depth = 0;
  absl::Span<const uint8_t> payload;
};

// True for the upper protocols whose fragments are worth reassembling: TCP,
// and those a tunnel decoded here can ride on (UDP, GRE, IP-in-IP).
bool ReassemblyWanted(uint8_t protocol);

// The fragment `ip` is, or nullopt when it is none, or one not reassembled:
// an upper protocol ReassemblyWanted() refuses, or data cut by the snaplen
// (the datagram could never complete: such fragments are decoded as
// without reassembly).
std::optional<IpFragment> Ipv4Fragment(const Ipv4View& ip, int tunnel_depth);
// Also nullopt for an atomic fragment (RFC 6946) and when the chain has
// more than one fragment header.
std::optional<IpFragment> Ipv6Fragment(const Ipv6View& ip, int tunnel_depth);

}  // namespace tcpstate
