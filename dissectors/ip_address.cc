#include "dissectors/ip_address.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tcpstate {

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress a;
  a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::FromBytes(absl::Span<const uint8_t> bytes) {
  IpAddress a;
  const size_t n = bytes.size() >= 16 ? 16 : (bytes.size() >= 4 ? 4 : 0);
  a.is_v6_ = n == 16;
  if (n == 16) {
    std::memcpy(a.bytes_.data(), bytes.data(), 16);
  } else if (n == 4) {
    std::memcpy(a.bytes_.data(), bytes.data(), 4);
  }
  return a;
}

namespace {

std::string V6ToString(const std::array<uint8_t, 16>& b) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) {
    groups[i] = static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  }
  // RFC 5952 section 4.2: compress the longest run (>= 2) of zero groups,
  // the first one on a tie.
  int best_start = -1;
  int best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) {
      ++j;
    }
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  const bool mapped = best_start == 0 && best_len == 5 && groups[5] == 0xffff;
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (mapped && i == 6) {
      absl::StrAppend(&out, b[12], ".", b[13], ".", b[14], ".", b[15]);
      break;
    }
    if (!out.empty() && out.back() != ':') {
      out += ':';
    }
    absl::StrAppend(&out, absl::StrFormat("%x", groups[i]));
  }
  return out;
}

}  // namespace

std::string IpAddress::ToString() const {
  if (is_v6_) {
    return V6ToString(bytes_);
  }
  return absl::StrCat(bytes_[0], ".", bytes_[1], ".", bytes_[2], ".",
                      bytes_[3]);
}

}  // namespace tcpstate
