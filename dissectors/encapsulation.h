#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace tcpstate {

// Tunnels whose inner packets Zeek analyses, decoded so that the TCP inside
// is tracked like any other: IP-in-IP (4, 41), GRE (47, versions 0 and 1,
// with transparent Ethernet and ERSPAN II/III), and over UDP: VXLAN (4789),
// Geneve (6081), Teredo (3544), AYIYA (5072), GTP-U (2152) and GRE over
// UDP (4754). A UDP tunnel is recognised by either port. Every parser is
// bounds-checked; a header that does not fit means "not a tunnel".
struct TunnelPort {
  static constexpr uint16_t kVxlan = 4789;
  static constexpr uint16_t kGeneve = 6081;
  static constexpr uint16_t kTeredo = 3544;
  static constexpr uint16_t kAyiya = 5072;
  static constexpr uint16_t kGtpUser = 2152;
  static constexpr uint16_t kGreOverUdp = 4754;
};

// What a tunnel carries: an IP packet (version from its first nibble) or an
// Ethernet frame.
struct TunnelPayload {
  bool ethernet = false;
  absl::Span<const uint8_t> bytes;
};

// The inner packet of the tunnel carried as IP protocol `ip_protocol` with
// IP payload `payload`, or nullopt when it is no tunnel decoded here.
std::optional<TunnelPayload> Decapsulate(uint8_t ip_protocol,
                                         absl::Span<const uint8_t> payload);

// The individual layers, exposed for tests. Each takes the bytes after the
// outer header (for UDP tunnels: after the UDP header).
std::optional<TunnelPayload> ParseGre(absl::Span<const uint8_t> bytes);
std::optional<TunnelPayload> ParseUdpTunnel(absl::Span<const uint8_t> udp);
std::optional<TunnelPayload> ParseVxlan(absl::Span<const uint8_t> bytes);
std::optional<TunnelPayload> ParseGeneve(absl::Span<const uint8_t> bytes);
std::optional<TunnelPayload> ParseTeredo(absl::Span<const uint8_t> bytes);
std::optional<TunnelPayload> ParseAyiya(absl::Span<const uint8_t> bytes);
std::optional<TunnelPayload> ParseGtpUser(absl::Span<const uint8_t> bytes);

}  // namespace tcpstate
