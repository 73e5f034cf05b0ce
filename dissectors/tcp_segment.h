#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "dissectors/ip_address.h"
#include "dissectors/seq_num.h"

namespace tcpstate {

// TCP header flag bits (RFC 9293 section 3.1, RFC 3168 for CWR/ECE).
struct TcpFlags {
  static constexpr uint16_t kFin = 0x001;
  static constexpr uint16_t kSyn = 0x002;
  static constexpr uint16_t kRst = 0x004;
  static constexpr uint16_t kPsh = 0x008;
  static constexpr uint16_t kAck = 0x010;
  static constexpr uint16_t kUrg = 0x020;
  static constexpr uint16_t kEce = 0x040;
  static constexpr uint16_t kCwr = 0x080;
  static constexpr uint16_t kAe = 0x100;  // formerly NS (RFC 3540, historic)

  uint16_t bits = 0;

  bool fin() const { return (bits & kFin) != 0; }
  bool syn() const { return (bits & kSyn) != 0; }
  bool rst() const { return (bits & kRst) != 0; }
  bool psh() const { return (bits & kPsh) != 0; }
  bool ack() const { return (bits & kAck) != 0; }
  bool urg() const { return (bits & kUrg) != 0; }
};

struct SackBlock {
  SeqNum left;
  SeqNum right;
};

struct TcpTimestamps {
  uint32_t value = 0;
  uint32_t echo_reply = 0;
};

// Decoded TCP options (RFC 9293 3.2, RFC 7323, RFC 2018, RFC 7413).
struct TcpOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t> window_scale;  // raw shift count as sent (may be > 14)
  bool sack_permitted = false;
  uint8_t sack_block_count = 0;
  std::array<SackBlock, 4> sack_blocks{};
  std::optional<TcpTimestamps> timestamps;
  bool tfo = false;            // Fast Open option (kind 34) present
  uint8_t tfo_cookie_len = 0;  // 0 = cookie request
  uint8_t unknown_count = 0;   // options of kinds we do not decode
  bool malformed = false;      // a bad length stopped option parsing
  // The capture ended inside the options (snaplen), so later options are
  // unknown. Not a malformation.
  bool truncated = false;
};

enum class ChecksumStatus : uint8_t {
  kGood,
  kBad,
  kOffloaded,   // holds only the pseudo-header sum: NIC offload, not corruption
  kUnverified,  // packet truncated by snaplen: cannot verify
};

// Everything the analyzer needs from one TCP segment, in host order. The
// payload span borrows the frame's bytes.
struct TcpSegment {
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  SeqNum seq;
  SeqNum ack;
  TcpFlags flags;
  uint16_t window = 0;  // raw (unscaled) window field
  uint16_t urgent_pointer = 0;
  TcpOptions options;
  // Segment length from the IP length fields (what was sent), even when the
  // capture holds fewer bytes; `payload` holds what was captured.
  uint32_t payload_len = 0;
  absl::Span<const uint8_t> payload;
  uint32_t ip_total_len = 0;  // IP-level bytes (header + payload) as sent
  uint16_t ip_id = 0;         // IPv4 identification (0 for IPv6)
  uint8_t ttl = 0;            // TTL or hop limit
  ChecksumStatus checksum = ChecksumStatus::kUnverified;
  // Carried in the first fragment of a fragmented IP packet: payload_len
  // covers only that fragment's share of the segment.
  bool first_fragment = false;
};

}  // namespace tcpstate
