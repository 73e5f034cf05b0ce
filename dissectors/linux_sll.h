#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/ethernet.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// ARPHRD_NETLINK: the protocol field is a netlink family, not an EtherType.
inline constexpr uint16_t kArphrdNetlink = 824;

// Linux "cooked" capture header, version 1 (DLT_LINUX_SLL, 16 bytes):
// packet type, ARPHRD type, address length, 8 address bytes, protocol.
// libpcap may re-insert a VLAN tag after it, so the protocol is walked like
// an Ethernet type field.
class SllView {
 public:
  static constexpr size_t kHeaderSize = 16;

  // Errors: kLinkTruncated, kVlanTruncated, kVlanTooManyTags.
  static ParseResult<SllView> Parse(absl::Span<const uint8_t> bytes);

  uint16_t packet_type() const { return packet_type_; }
  uint16_t arphrd_type() const { return arphrd_type_; }
  const VlanStack& vlans() const { return vlans_; }
  uint16_t protocol() const { return vlans_.ether_type(); }
  NetworkProtocol network() const;
  absl::Span<const uint8_t> payload() const { return vlans_.payload(); }

 private:
  SllView(uint16_t packet_type, uint16_t arphrd_type, const VlanStack& vlans)
      : packet_type_(packet_type), arphrd_type_(arphrd_type), vlans_(vlans) {}

  uint16_t packet_type_;
  uint16_t arphrd_type_;
  VlanStack vlans_;
};

// Linux cooked capture header, version 2 (DLT_LINUX_SLL2, 20 bytes):
// protocol, reserved, interface index, ARPHRD type, packet type, address
// length, 8 address bytes.
class Sll2View {
 public:
  static constexpr size_t kHeaderSize = 20;

  // Errors: kLinkTruncated, kVlanTruncated, kVlanTooManyTags.
  static ParseResult<Sll2View> Parse(absl::Span<const uint8_t> bytes);

  uint32_t interface_index() const { return interface_index_; }
  uint16_t arphrd_type() const { return arphrd_type_; }
  uint8_t packet_type() const { return packet_type_; }
  const VlanStack& vlans() const { return vlans_; }
  uint16_t protocol() const { return vlans_.ether_type(); }
  NetworkProtocol network() const;
  absl::Span<const uint8_t> payload() const { return vlans_.payload(); }

 private:
  Sll2View(uint32_t interface_index, uint16_t arphrd_type, uint8_t packet_type,
           const VlanStack& vlans)
      : interface_index_(interface_index),
        arphrd_type_(arphrd_type),
        packet_type_(packet_type),
        vlans_(vlans) {}

  uint32_t interface_index_;
  uint16_t arphrd_type_;
  uint8_t packet_type_;
  VlanStack vlans_;
};

}  // namespace tcpstate
