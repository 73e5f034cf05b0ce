#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/decode_counters.h"
#include "dissectors/parse_result.h"
#include "dissectors/seq_num.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// How much the IP layer knows about the segment's length.
enum class SegmentExtent : uint8_t {
  // The IP length fields give the whole segment's length.
  kComplete,
  // A first IP fragment: the length covers only this fragment, so a header
  // longer than it is cut, not malformed.
  kFirstFragment,
};

// A validated TCP header (RFC 9293 3.1) whose fixed 20 bytes are captured.
// The options and payload may be cut short by the capture (snaplen).
class TcpView {
 public:
  static constexpr size_t kMinHeaderSize = 20;

  // `captured` is the captured part of the segment (never past the IP
  // length); `declared_length` is the segment length from the IP header.
  // Errors: kTcpSegmentTooShort (IP length below 20), kTcpTruncated (fewer
  // than 20 bytes captured), kTcpBadDataOffset (below 5, or past the
  // segment).
  static ParseResult<TcpView> Parse(absl::Span<const uint8_t> captured,
                                    uint32_t declared_length,
                                    SegmentExtent extent);

  uint16_t source_port() const { return Load16(0); }
  uint16_t destination_port() const { return Load16(2); }
  SeqNum seq() const { return SeqNum(Load32(4)); }
  SeqNum ack() const { return SeqNum(Load32(8)); }
  size_t header_length() const { return header_length_; }
  TcpFlags flags() const {
    return TcpFlags{static_cast<uint16_t>(Load16(12) & 0x01FF)};
  }
  uint16_t window() const { return Load16(14); }
  uint16_t checksum() const { return Load16(16); }
  uint16_t urgent_pointer() const { return Load16(18); }

  // Declared size of the options area, and the captured part of it.
  size_t options_length() const { return header_length_ - kMinHeaderSize; }
  absl::Span<const uint8_t> options() const { return options_; }
  bool options_truncated() const { return options_.size() < options_length(); }

  // Payload length as sent, and the captured part of it.
  uint32_t payload_length() const {
    return declared_length_ - static_cast<uint32_t>(header_length_);
  }
  absl::Span<const uint8_t> payload() const { return payload_; }
  // The whole segment (header and payload) is captured.
  bool complete() const { return complete_; }
  // The captured bytes of the segment.
  absl::Span<const uint8_t> bytes() const { return bytes_; }

 private:
  TcpView() = default;

  uint16_t Load16(size_t at) const {
    return static_cast<uint16_t>((bytes_[at] << 8) | bytes_[at + 1]);
  }
  uint32_t Load32(size_t at) const {
    return (static_cast<uint32_t>(Load16(at)) << 16) | Load16(at + 2);
  }

  absl::Span<const uint8_t> bytes_;
  absl::Span<const uint8_t> options_;
  absl::Span<const uint8_t> payload_;
  size_t header_length_ = kMinHeaderSize;
  uint32_t declared_length_ = 0;
  bool complete_ = false;
};

// Fills the TCP fields of `segment` from a parsed header: ports, seq/ack,
// flags, window, urgent pointer, options and payload (the IP fields are
// the caller's).
void FillTcpFields(const TcpView& tcp, TcpSegment& segment);

// Counts what is wrong with a parsed header and its segment: options or
// payload cut by the capture, option lengths that overrun, port 0, and the
// oddities below. `segment` is the one FillTcpFields made from `tcp`.
void CountTcpProblems(const TcpView& tcp, const TcpSegment& segment,
                      DecodeCounters& counters);

// Legal-but-suspicious header contents of a decoded segment, one counter
// each (the segment is still analysed): an MSS option on a segment without
// SYN (RFC 9293 3.2: only in SYNs), a window scale shift above 14 (RFC 7323
// 2.3), and impossible flag combinations used by scanners. At most one flag
// counter per segment, checked in this order: no flags at all (NULL scan),
// SYN+RST, SYN+FIN, then FIN+PSH+URG (Xmas scan).
void CountTcpOddities(const TcpSegment& segment, DecodeCounters& counters);

}  // namespace tcpstate
