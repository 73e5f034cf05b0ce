#include "dissectors/checksum.h"

#include <cstddef>

namespace tcpstate {

uint64_t AddChecksumBytes(uint64_t sum, absl::Span<const uint8_t> bytes) {
  // Four bytes at a time: 2^16 == 1 (mod 2^16 - 1), so a 32-bit big-endian
  // word contributes the same as its two 16-bit halves once folded.
  size_t i = 0;
  const size_t n = bytes.size();
  for (; i + 4 <= n; i += 4) {
    sum += (static_cast<uint32_t>(bytes[i]) << 24) |
           (static_cast<uint32_t>(bytes[i + 1]) << 16) |
           (static_cast<uint32_t>(bytes[i + 2]) << 8) |
           static_cast<uint32_t>(bytes[i + 3]);
  }
  for (; i + 2 <= n; i += 2) {
    sum += (static_cast<uint32_t>(bytes[i]) << 8) | bytes[i + 1];
  }
  if (i < n) {
    sum += static_cast<uint32_t>(bytes[i]) << 8;
  }
  return sum;
}

uint16_t FoldChecksum(uint64_t sum) {
  while ((sum >> 16) != 0) {
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

uint64_t PseudoHeaderSum(absl::Span<const uint8_t> src,
                         absl::Span<const uint8_t> dst, uint8_t protocol,
                         uint32_t length) {
  uint64_t sum = AddChecksumBytes(0, src);
  sum = AddChecksumBytes(sum, dst);
  // IPv4 uses a 16-bit length and IPv6 a 32-bit one; both sum the same.
  sum += protocol;
  sum += length >> 16;
  sum += length & 0xFFFF;
  return sum;
}

ChecksumStatus ClassifyTcpChecksum(uint64_t pseudo_header_sum,
                                   absl::Span<const uint8_t> segment,
                                   uint16_t checksum_field) {
  const uint64_t total = AddChecksumBytes(pseudo_header_sum, segment);
  if (FoldChecksum(total) == 0xFFFF) {
    return ChecksumStatus::kGood;
  }
  const uint16_t partial = FoldChecksum(pseudo_header_sum);
  if (checksum_field == partial ||
      checksum_field == static_cast<uint16_t>(~partial)) {
    return ChecksumStatus::kOffloaded;
  }
  return ChecksumStatus::kBad;
}

}  // namespace tcpstate
