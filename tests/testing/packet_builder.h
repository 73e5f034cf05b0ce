#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "dissectors/link_type.h"

namespace tcpstate {

// Builds one captured frame, link layer to TCP payload, from intent-level
// calls. Lengths and checksums are computed (independently of the
// dissectors' own checksum code) unless a call overrides them on purpose:
//
//   std::vector<uint8_t> frame = PacketBuilder()
//       .Link(LinkType::kEthernet).Vlan(10)
//       .Ipv4("10.0.0.1", "10.0.0.2")
//       .Tcp(40000, 80).Seq(1000).Flags(TcpFlags::kSyn).Mss(1460)
//       .Bytes();
//
// Defaults: Ethernet, IPv4 10.0.0.1 -> 10.0.0.2, TTL 64, TCP 40000 -> 80,
// flags ACK, window 65535, no options, no payload, correct checksums.
class PacketBuilder {
 public:
  enum class Checksum : uint8_t {
    kCorrect,
    kCorrupt,              // correct value with one bit flipped
    kOffloaded,            // folded pseudo-header sum (Linux tx offload)
    kOffloadedComplement,  // its ones' complement
  };

  // --- Link layer ---
  PacketBuilder& Link(LinkType link);
  // Pushes an 802.1Q (or other TPID) tag; the first call is the outermost.
  PacketBuilder& Vlan(uint16_t vlan_id, uint16_t tpid = 0x8100);
  // Replaces the EtherType / SLL protocol after the tags.
  PacketBuilder& EtherType(uint16_t ether_type);
  // DLT_NULL / DLT_LOOP family; NULL is little-endian unless big_endian.
  PacketBuilder& LoopbackFamily(uint32_t family, bool big_endian = false);
  // Pads the frame with zeros to at least `length` bytes (Ethernet minimum).
  PacketBuilder& PadTo(size_t length);

  // --- IP layer (addresses in text form) ---
  PacketBuilder& Ipv4(absl::string_view src, absl::string_view dst);
  PacketBuilder& Ipv6(absl::string_view src, absl::string_view dst);
  PacketBuilder& Ttl(uint8_t ttl);
  PacketBuilder& IpId(uint16_t id);
  PacketBuilder& IpProtocol(uint8_t protocol);  // replaces TCP's 6
  PacketBuilder& Ipv4Options(std::vector<uint8_t> options);  // padded to 4
  PacketBuilder& Ipv4HeaderWords(uint8_t ihl);               // raw IHL field
  PacketBuilder& Ipv4TotalLength(uint16_t total_length);     // raw field
  PacketBuilder& Ipv4Version(uint8_t version);               // raw nibble
  // Fragment offset in bytes (multiple of 8) and the more-fragments flag.
  PacketBuilder& Ipv4Fragment(uint16_t offset, bool more);
  PacketBuilder& Ipv6PayloadLength(uint16_t payload_length);  // raw field
  // Appends an extension header; `body` follows the next-header and length
  // bytes and is zero-padded to the header's unit (8 bytes, 4 for AH).
  PacketBuilder& Ipv6Extension(uint8_t type, std::vector<uint8_t> body = {});
  PacketBuilder& Ipv6Fragment(uint16_t offset, bool more, uint32_t id = 1);
  PacketBuilder& Ipv6Routing(uint8_t routing_type, uint8_t segments_left,
                             const std::vector<std::string>& addresses);

  // --- TCP ---
  PacketBuilder& Tcp(uint16_t src_port, uint16_t dst_port);
  PacketBuilder& Seq(uint32_t seq);
  PacketBuilder& Ack(uint32_t ack);
  PacketBuilder& Flags(uint16_t flags);  // TcpFlags bits
  PacketBuilder& Window(uint16_t window);
  PacketBuilder& Urgent(uint16_t urgent_pointer);
  PacketBuilder& DataOffsetWords(uint8_t words);  // raw data offset field
  PacketBuilder& Mss(uint16_t mss);
  PacketBuilder& WindowScale(uint8_t shift);
  PacketBuilder& SackPermitted();
  PacketBuilder& Sack(const std::vector<std::pair<uint32_t, uint32_t>>& blocks);
  PacketBuilder& Timestamps(uint32_t value, uint32_t echo_reply);
  PacketBuilder& FastOpen(uint8_t cookie_length);  // kind 34
  PacketBuilder& Nop();
  PacketBuilder& Eol();
  // Raw option bytes, appended verbatim (for malformed options).
  PacketBuilder& RawOption(std::vector<uint8_t> bytes);
  PacketBuilder& Payload(absl::string_view payload);
  PacketBuilder& PayloadSize(size_t size);  // a deterministic byte pattern
  PacketBuilder& TcpChecksum(Checksum mode);

  // The whole frame.
  std::vector<uint8_t> Bytes() const;
  // The TCP segment alone (header, options, payload) with its checksum.
  std::vector<uint8_t> TcpBytes() const;
  // The IP packet alone (for raw links).
  std::vector<uint8_t> IpBytes() const;
  // Sizes of the layers in Bytes(), for tests that cut frames.
  size_t LinkHeaderSize() const;
  size_t IpHeaderSize() const;  // IP header plus any IPv6 extensions
  size_t TcpHeaderSize() const;

 private:
  struct Extension {
    uint8_t type;
    std::vector<uint8_t> bytes;  // whole header; byte 0 patched when built
  };

  std::vector<uint8_t> TcpOptionBytes() const;
  std::vector<uint8_t> Ipv4Header(size_t tcp_size) const;
  std::vector<uint8_t> Ipv6Header(size_t upper_size) const;
  std::vector<uint8_t> LinkHeader(bool ipv6) const;
  std::vector<uint8_t> PseudoDestination() const;
  uint16_t ComputeTcpChecksum(const std::vector<uint8_t>& segment) const;

  LinkType link_ = LinkType::kEthernet;
  std::vector<std::pair<uint16_t, uint16_t>> vlans_;  // (tpid, id)
  std::optional<uint16_t> ether_type_;
  std::optional<std::pair<uint32_t, bool>> loopback_family_;
  size_t pad_to_ = 0;

  bool ipv6_ = false;
  std::vector<uint8_t> src_ = {10, 0, 0, 1};
  std::vector<uint8_t> dst_ = {10, 0, 0, 2};
  uint8_t ttl_ = 64;
  uint16_t ip_id_ = 0x1234;
  uint8_t protocol_ = 6;
  std::vector<uint8_t> ipv4_options_;
  std::optional<uint8_t> ihl_;
  std::optional<uint16_t> total_length_;
  uint8_t ipv4_version_ = 4;
  uint16_t fragment_offset_ = 0;
  bool more_fragments_ = false;
  std::optional<uint16_t> ipv6_payload_length_;
  std::vector<Extension> extensions_;

  uint16_t src_port_ = 40000;
  uint16_t dst_port_ = 80;
  uint32_t seq_ = 1000;
  uint32_t ack_ = 0;
  uint16_t flags_ = 0x010;
  uint16_t window_ = 65535;
  uint16_t urgent_ = 0;
  std::optional<uint8_t> data_offset_;
  std::vector<uint8_t> options_;
  std::vector<uint8_t> payload_;
  Checksum checksum_ = Checksum::kCorrect;
};

}  // namespace tcpstate
