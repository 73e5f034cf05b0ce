#pragma once

#include <cstdint>

#include "absl/types/span.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// Internet checksum helpers (RFC 1071). Sums are kept wide and folded late.

// Adds `bytes` as big-endian 16-bit words (an odd tail byte is padded with
// zero) to `sum`. The result is only meaningful after FoldChecksum().
uint64_t AddChecksumBytes(uint64_t sum, absl::Span<const uint8_t> bytes);

// Folds a wide sum to 16 bits with end-around carries (not complemented).
uint16_t FoldChecksum(uint64_t sum);

// Sum of the TCP/UDP pseudo-header (RFC 9293 3.1 for IPv4, RFC 8200 8.1 for
// IPv6). `src` and `dst` hold 4 or 16 bytes; `length` is the upper-layer
// length and `protocol` the upper-layer protocol number.
uint64_t PseudoHeaderSum(absl::Span<const uint8_t> src,
                         absl::Span<const uint8_t> dst, uint8_t protocol,
                         uint32_t length);

// Classifies a complete TCP segment's checksum: kGood when the segment
// verifies, kOffloaded when the checksum field holds just the folded
// pseudo-header sum or its complement (left by transmit checksum offload),
// kBad otherwise. `segment` is the whole TCP header plus payload.
ChecksumStatus ClassifyTcpChecksum(uint64_t pseudo_header_sum,
                                   absl::Span<const uint8_t> segment,
                                   uint16_t checksum_field);

}  // namespace tcpstate
