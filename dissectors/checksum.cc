#include "dissectors/checksum.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tcpstate {

uint16_t FoldChecksum(uint64_t sum) {
  while ((sum >> 16) != 0) {
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

uint64_t AddChecksumBytes(uint64_t sum, absl::Span<const uint8_t> bytes) {
  // RFC 1071 2(B): the one's complement sum does not depend on byte order.
  // The bytes are summed as native-order 32-bit words (2^16 == 1 mod
  // 2^16 - 1, so a 32-bit word counts as its two 16-bit halves), eight
  // bytes per load; the folded result is put in network order at the end.
  // Nothing is lost: 2^32 words of 2^32 fit in the 64-bit accumulator, and
  // the result is zero exactly when every byte is, as with a plain sum.
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  uint64_t acc = 0;
#if defined(__SSE2__)
  // Native-order 16-bit words summed in eight 32-bit lanes, 32 bytes a
  // round (each word counts as itself, as each 32-bit word does below). A
  // lane gains at most 2 * 0xFFFF a round: 16,384 rounds stay below 2^32,
  // then the lanes are added to the accumulator.
  while (n >= 64) {
    const __m128i zero = _mm_setzero_si128();
    __m128i low = zero;
    __m128i high = zero;
    size_t rounds = std::min<size_t>(n / 32, 16384);
    n -= rounds * 32;
    for (; rounds > 0; --rounds, p += 32) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i b =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
      low = _mm_add_epi32(low, _mm_unpacklo_epi16(a, zero));
      high = _mm_add_epi32(high, _mm_unpackhi_epi16(a, zero));
      low = _mm_add_epi32(low, _mm_unpacklo_epi16(b, zero));
      high = _mm_add_epi32(high, _mm_unpackhi_epi16(b, zero));
    }
    uint32_t lanes[8];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes + 4), high);
    for (const uint32_t lane : lanes) {
      acc += lane;
    }
  }
#endif
  auto add8 = [&acc](const uint8_t* q) {
    uint64_t w;
    std::memcpy(&w, q, sizeof(w));
    acc += (w & 0xFFFFFFFFu) + (w >> 32);
  };
  for (; n >= 32; p += 32, n -= 32) {
    add8(p);
    add8(p + 8);
    add8(p + 16);
    add8(p + 24);
  }
  for (; n >= 8; p += 8, n -= 8) {
    add8(p);
  }
  if (n >= 4) {
    uint32_t w;
    std::memcpy(&w, p, sizeof(w));
    acc += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t w;
    std::memcpy(&w, p, sizeof(w));
    acc += w;
    p += 2;
    n -= 2;
  }
  if (n == 1) {  // padded with a zero byte after it
    const uint8_t pair[2] = {p[0], 0};
    uint16_t w;
    std::memcpy(&w, pair, sizeof(w));
    acc += w;
  }
  uint16_t folded = FoldChecksum(acc);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  folded = static_cast<uint16_t>((folded << 8) | (folded >> 8));
#endif
  return sum + folded;
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
