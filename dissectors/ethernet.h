#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// EtherType values the dissectors act on.
struct EtherType {
  static constexpr uint16_t kIpv4 = 0x0800;
  static constexpr uint16_t kIpv6 = 0x86DD;
  static constexpr uint16_t kVlan = 0x8100;      // 802.1Q C-tag
  static constexpr uint16_t kQinQ = 0x88A8;      // 802.1ad S-tag
  static constexpr uint16_t kQinQOld1 = 0x9100;  // pre-standard QinQ
  static constexpr uint16_t kQinQOld2 = 0x9200;
  static constexpr uint16_t kPppoeSession = 0x8864;
  static constexpr uint16_t kMplsUnicast = 0x8847;
  static constexpr uint16_t kMplsMulticast = 0x8848;
  static constexpr uint16_t kPbb = 0x88E7;    // 802.1ah I-TAG (MAC-in-MAC)
  static constexpr uint16_t kVnTag = 0x8926;  // Cisco VN-Tag
  // Values below this are 802.3 lengths, not EtherTypes.
  static constexpr uint16_t kMinEtherType = 0x0600;

  static bool IsVlanTag(uint16_t type) {
    return type == kVlan || type == kQinQ || type == kQinQOld1 ||
           type == kQinQOld2;
  }
};

// Which network layer follows a link header.
enum class NetworkProtocol : uint8_t { kIpv4, kIpv6, kOther };

NetworkProtocol NetworkFromEtherType(uint16_t ether_type);

// The (possibly empty) stack of VLAN tags that follows an EtherType field,
// outermost first, and the EtherType and bytes after the innermost tag.
// A PPPoE session header or an MPLS label stack after the tags is stepped
// over too, so that network() and payload() name the IP packet inside.
class VlanStack {
 public:
  static constexpr size_t kMaxTags = 8;
  static constexpr size_t kMaxMplsLabels = 8;

  // `ether_type` is the field already read; `after` the bytes following it.
  // Errors: kVlanTruncated, kVlanTooManyTags, kPppoeTruncated,
  // kMplsTruncated, kMplsTooManyLabels.
  static ParseResult<VlanStack> Parse(uint16_t ether_type,
                                      absl::Span<const uint8_t> after);

  size_t tag_count() const { return tag_count_; }
  // 12-bit VLAN id of tag `i` (0 = outermost); requires i < tag_count().
  uint16_t vlan_id(size_t i) const { return ids_[i]; }
  // Tag protocol identifier (0x8100, 0x88a8, ...) of tag `i`.
  uint16_t tpid(size_t i) const { return tpids_[i]; }
  uint16_t ether_type() const { return ether_type_; }
  // The network layer inside (after any PPPoE or MPLS shim).
  NetworkProtocol network() const { return network_; }
  absl::Span<const uint8_t> payload() const { return payload_; }
  // The network packet's length as a PPPoE session header declares it (its
  // length field minus the 2-byte PPP protocol, RFC 2516 section 4); unset
  // without PPPoE. payload() may be shorter (a cut capture) or longer
  // (Ethernet padding).
  std::optional<uint32_t> declared_length() const { return declared_length_; }

 private:
  VlanStack() = default;
  // Steps over a PPPoE session header or MPLS labels at payload_.
  std::optional<DecodeError> ParseShim();

  std::array<uint16_t, kMaxTags> ids_{};
  std::array<uint16_t, kMaxTags> tpids_{};
  size_t tag_count_ = 0;
  uint16_t ether_type_ = 0;
  NetworkProtocol network_ = NetworkProtocol::kOther;
  absl::Span<const uint8_t> payload_;
  std::optional<uint32_t> declared_length_;
};

// An Ethernet II frame (DLT_EN10MB) with any 802.1Q / 802.1ad tag stack.
// The payload may include trailing padding and FCS; the IP layer trims it.
class EthernetView {
 public:
  static constexpr size_t kHeaderSize = 14;

  // Errors: kLinkTruncated, kVlanTruncated, kVlanTooManyTags.
  static ParseResult<EthernetView> Parse(absl::Span<const uint8_t> bytes);

  absl::Span<const uint8_t> destination() const { return bytes_.subspan(0, 6); }
  absl::Span<const uint8_t> source() const { return bytes_.subspan(6, 6); }
  const VlanStack& vlans() const { return vlans_; }
  // Innermost EtherType (or an 802.3 length below 0x0600).
  uint16_t ether_type() const { return vlans_.ether_type(); }
  NetworkProtocol network() const { return vlans_.network(); }
  absl::Span<const uint8_t> payload() const { return vlans_.payload(); }

 private:
  EthernetView(absl::Span<const uint8_t> bytes, const VlanStack& vlans)
      : bytes_(bytes), vlans_(vlans) {}

  absl::Span<const uint8_t> bytes_;
  VlanStack vlans_;
};

}  // namespace tcpstate
