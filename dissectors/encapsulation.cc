#include "dissectors/encapsulation.h"

#include <optional>

#include "dissectors/byte_reader.h"

namespace tcpstate {
namespace {

constexpr uint8_t kProtoIpv4InIp = 4;
constexpr uint8_t kProtoIpv6InIp = 41;
constexpr uint8_t kProtoGre = 47;
constexpr uint8_t kProtoUdp = 17;

constexpr uint16_t kTypeIpv4 = 0x0800;
constexpr uint16_t kTypeIpv6 = 0x86DD;
constexpr uint16_t kTypeEthernet = 0x6558;  // transparent Ethernet bridging
constexpr uint16_t kTypeErspan2 = 0x88BE;
constexpr uint16_t kTypeErspan3 = 0x22EB;
constexpr uint16_t kTypePpp = 0x880B;  // PPTP's enhanced GRE (version 1)

constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;

// An IP packet must at least start with a plausible version nibble.
std::optional<TunnelPayload> IpInside(absl::Span<const uint8_t> rest) {
  if (rest.empty()) {
    return std::nullopt;
  }
  const uint8_t version = rest[0] >> 4;
  if (version != 4 && version != 6) {
    return std::nullopt;
  }
  return TunnelPayload{false, rest};
}

std::optional<TunnelPayload> EthernetInside(absl::Span<const uint8_t> rest) {
  if (rest.size() < 14) {
    return std::nullopt;
  }
  return TunnelPayload{true, rest};
}

// By EtherType-style protocol field (GRE, Geneve).
std::optional<TunnelPayload> ByType(uint16_t type,
                                    absl::Span<const uint8_t> rest) {
  switch (type) {
    case kTypeIpv4:
    case kTypeIpv6:
      return IpInside(rest);
    case kTypeEthernet:
      return EthernetInside(rest);
    default:
      return std::nullopt;
  }
}

// PPP inside PPTP GRE: optional address/control (FF 03), then a one- or
// two-byte protocol field.
std::optional<TunnelPayload> PppInside(absl::Span<const uint8_t> rest) {
  ByteReader reader(rest);
  if (rest.size() >= 2 && rest[0] == 0xFF && rest[1] == 0x03) {
    reader.Skip(2);
  }
  const std::optional<uint8_t> first = reader.ReadU8();
  if (!first.has_value()) {
    return std::nullopt;
  }
  uint16_t protocol = *first;
  if ((*first & 0x01) == 0) {  // not compressed: a second byte follows
    const std::optional<uint8_t> second = reader.ReadU8();
    if (!second.has_value()) {
      return std::nullopt;
    }
    protocol = static_cast<uint16_t>((*first << 8) | *second);
  }
  if (protocol != kPppIpv4 && protocol != kPppIpv6) {
    return std::nullopt;
  }
  return IpInside(reader.rest());
}

// ERSPAN type II (8-byte header) and type III (12 bytes, plus an 8-byte
// platform subheader when its O bit is set) carry an Ethernet frame.
std::optional<TunnelPayload> ErspanInside(uint16_t type,
                                          absl::Span<const uint8_t> rest) {
  ByteReader reader(rest);
  if (type == kTypeErspan2) {
    if (!reader.Skip(8)) {
      return std::nullopt;
    }
    return EthernetInside(reader.rest());
  }
  if (rest.size() < 12 || !reader.Skip(12)) {
    return std::nullopt;
  }
  if ((rest[11] & 0x01) != 0 && !reader.Skip(8)) {
    return std::nullopt;
  }
  return EthernetInside(reader.rest());
}

// Teredo between a client and its peers runs on arbitrary ports. Like
// Zeek's Teredo detection, any UDP payload that is exactly one IPv6 packet
// with a Teredo address (2001:0::/32) at either end is taken as Teredo.
bool IsTeredoAddress(absl::Span<const uint8_t> address) {
  return address[0] == 0x20 && address[1] == 0x01 && address[2] == 0x00 &&
         address[3] == 0x00;
}

std::optional<TunnelPayload> DetectTeredo(absl::Span<const uint8_t> body) {
  const std::optional<TunnelPayload> inner = ParseTeredo(body);
  if (!inner.has_value()) {
    return std::nullopt;
  }
  const absl::Span<const uint8_t> ip = inner->bytes;
  const size_t payload_length = (size_t{ip[4]} << 8) | ip[5];
  if (ip.size() != 40 + payload_length) {
    return std::nullopt;
  }
  if (!IsTeredoAddress(ip.subspan(8, 16)) &&
      !IsTeredoAddress(ip.subspan(24, 16))) {
    return std::nullopt;
  }
  return inner;
}

}  // namespace

// RFC 2784/2890 (version 0) and RFC 2637 (version 1). Source routing (R)
// is not decoded.
std::optional<TunnelPayload> ParseGre(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const std::optional<uint16_t> flags = reader.ReadU16();
  const std::optional<uint16_t> type = reader.ReadU16();
  if (!flags.has_value() || !type.has_value()) {
    return std::nullopt;
  }
  const bool checksum = (*flags & 0x8000) != 0;
  const bool routing = (*flags & 0x4000) != 0;
  const bool key = (*flags & 0x2000) != 0;
  const bool sequence = (*flags & 0x1000) != 0;
  const bool ack = (*flags & 0x0080) != 0;
  const uint16_t version = *flags & 0x0007;
  if (routing || version > 1) {
    return std::nullopt;
  }
  size_t optional_words = (checksum ? 1 : 0) + (key ? 1 : 0) +
                          (sequence ? 1 : 0) + (version == 1 && ack ? 1 : 0);
  if (!reader.Skip(optional_words * 4)) {
    return std::nullopt;
  }
  if (version == 1) {
    return *type == kTypePpp ? PppInside(reader.rest()) : std::nullopt;
  }
  if (*type == kTypeErspan2 || *type == kTypeErspan3) {
    return ErspanInside(*type, reader.rest());
  }
  return ByType(*type, reader.rest());
}

std::optional<TunnelPayload> ParseVxlan(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < 8 || (bytes[0] & 0x08) == 0) {  // I flag: VNI valid
    return std::nullopt;
  }
  return EthernetInside(bytes.subspan(8));
}

std::optional<TunnelPayload> ParseGeneve(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const std::optional<uint8_t> ver_len = reader.ReadU8();
  const bool flags = reader.Skip(1);
  const std::optional<uint16_t> type = reader.ReadU16();
  if (!ver_len.has_value() || !flags || !type.has_value() ||
      (*ver_len >> 6) != 0 || !reader.Skip(4)) {
    return std::nullopt;
  }
  if (!reader.Skip(static_cast<size_t>(*ver_len & 0x3F) * 4)) {
    return std::nullopt;
  }
  return ByType(*type, reader.rest());
}

// RFC 4380: an optional authentication header (00 01, id and auth lengths,
// id, auth value, 8-byte nonce, 1-byte confirmation) and an optional origin
// indication (00 00 + 6 bytes) precede the IPv6 packet.
std::optional<TunnelPayload> ParseTeredo(absl::Span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  if (bytes.size() >= 4 && bytes[0] == 0x00 && bytes[1] == 0x01) {
    const size_t skip = 4 + size_t{bytes[2]} + size_t{bytes[3]} + 8 + 1;
    if (!reader.Skip(skip)) {
      return std::nullopt;
    }
  }
  const absl::Span<const uint8_t> rest = reader.rest();
  if (rest.size() >= 2 && rest[0] == 0x00 && rest[1] == 0x00 &&
      !reader.Skip(8)) {
    return std::nullopt;
  }
  const absl::Span<const uint8_t> ip = reader.rest();
  if (ip.size() < 40 || (ip[0] >> 4) != 6) {
    return std::nullopt;
  }
  return TunnelPayload{false, ip};
}

// AYIYA: 8 fixed bytes (identity length/type, signature length/hash,
// auth/opcode, next header, epoch), identity, signature. Opcode 1 forwards
// the packet named by the next-header field.
std::optional<TunnelPayload> ParseAyiya(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < 8) {
    return std::nullopt;
  }
  const size_t identity = size_t{1} << (bytes[0] >> 4);
  const size_t signature = static_cast<size_t>(bytes[1] >> 4) * 4;
  const uint8_t opcode = bytes[2] & 0x0F;
  const uint8_t next = bytes[3];
  ByteReader reader(bytes);
  if (opcode != 1 || (next != kProtoIpv4InIp && next != kProtoIpv6InIp) ||
      !reader.Skip(8 + identity + signature)) {
    return std::nullopt;
  }
  return IpInside(reader.rest());
}

// GTPv1-U (3GPP TS 29.281): 8 bytes; 4 more when any of E/S/PN is set;
// then extension headers (length in 4-byte units, next type last) while E.
std::optional<TunnelPayload> ParseGtpUser(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < 8 || (bytes[0] >> 5) != 1 || (bytes[0] & 0x10) == 0 ||
      bytes[1] != 0xFF) {  // version 1, GTP (not GTP'), T-PDU
    return std::nullopt;
  }
  ByteReader reader(bytes.subspan(8));
  if ((bytes[0] & 0x07) == 0) {
    return IpInside(reader.rest());
  }
  if (!reader.Skip(3)) {
    return std::nullopt;
  }
  std::optional<uint8_t> next = reader.ReadU8();
  const bool extensions = (bytes[0] & 0x04) != 0;
  for (int i = 0; extensions && next.has_value() && *next != 0; ++i) {
    const std::optional<uint8_t> words = reader.ReadU8();
    if (i == 8 || !words.has_value() || *words == 0 ||
        !reader.Skip(size_t{*words} * 4 - 2)) {
      return std::nullopt;
    }
    next = reader.ReadU8();
  }
  if (!next.has_value()) {
    return std::nullopt;
  }
  return IpInside(reader.rest());
}

std::optional<TunnelPayload> ParseUdpTunnel(absl::Span<const uint8_t> udp) {
  ByteReader reader(udp);
  const std::optional<uint16_t> src = reader.ReadU16();
  const std::optional<uint16_t> dst = reader.ReadU16();
  if (!src.has_value() || !dst.has_value() || !reader.Skip(4)) {
    return std::nullopt;
  }
  const absl::Span<const uint8_t> body = reader.rest();
  auto either = [&](uint16_t port) { return *src == port || *dst == port; };
  if (either(TunnelPort::kVxlan)) {
    return ParseVxlan(body);
  }
  if (either(TunnelPort::kGeneve)) {
    return ParseGeneve(body);
  }
  if (either(TunnelPort::kGtpUser)) {
    return ParseGtpUser(body);
  }
  if (either(TunnelPort::kTeredo)) {
    return ParseTeredo(body);
  }
  if (either(TunnelPort::kAyiya)) {
    return ParseAyiya(body);
  }
  if (either(TunnelPort::kGreOverUdp)) {
    return ParseGre(body);
  }
  return DetectTeredo(body);
}

std::optional<TunnelPayload> Decapsulate(uint8_t ip_protocol,
                                         absl::Span<const uint8_t> payload) {
  switch (ip_protocol) {
    case kProtoIpv4InIp:
    case kProtoIpv6InIp:
      return IpInside(payload);
    case kProtoGre:
      return ParseGre(payload);
    case kProtoUdp:
      return ParseUdpTunnel(payload);
    default:
      return std::nullopt;
  }
}

}  // namespace tcpstate
