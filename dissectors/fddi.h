#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/ethernet.h"
#include "dissectors/parse_result.h"

namespace tcpstate {

// DLT_FDDI: frame control (1), destination (6), source (6), then an 802.2
// LLC header. Only LLC/SNAP (DSAP AA, SSAP AA, control 03, OUI 3 bytes,
// EtherType 2 bytes) carries IP; any other LLC payload is kOther. The MAC
// addresses may be bit-swapped (as libpcap notes); they are not used.
class FddiView {
 public:
  static constexpr size_t kHeaderSize = 13;
  static constexpr size_t kSnapHeaderSize = 8;

  // Errors: kLinkTruncated.
  static ParseResult<FddiView> Parse(absl::Span<const uint8_t> bytes);

  uint8_t frame_control() const { return frame_control_; }
  bool is_snap() const { return is_snap_; }
  // The SNAP EtherType; 0 when the LLC header is not SNAP.
  uint16_t ether_type() const { return ether_type_; }
  NetworkProtocol network() const {
    return is_snap_ ? NetworkFromEtherType(ether_type_)
                    : NetworkProtocol::kOther;
  }
  absl::Span<const uint8_t> payload() const { return payload_; }

 private:
  FddiView() = default;

  uint8_t frame_control_ = 0;
  bool is_snap_ = false;
  uint16_t ether_type_ = 0;
  absl::Span<const uint8_t> payload_;
};

}  // namespace tcpstate
