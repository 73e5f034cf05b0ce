#include "tests/testing/fragments.h"

#include <algorithm>

namespace tcpstate {

std::vector<std::vector<uint8_t>> SplitIntoFragments(const PacketBuilder& b,
                                                     bool ipv6,
                                                     size_t data_size) {
  const std::vector<uint8_t> packet = b.IpBytes();
  const size_t header = ipv6 ? b.IpHeaderSize() : (packet[0] & 0x0F) * 4u;
  std::vector<std::vector<uint8_t>> out;
  for (size_t at = header; at < packet.size(); at += data_size) {
    const size_t n = std::min(data_size, packet.size() - at);
    const size_t offset = at - header;
    const bool more = at + n < packet.size();
    std::vector<uint8_t> f(packet.begin(), packet.begin() + header);
    f.insert(f.end(), packet.begin() + at, packet.begin() + at + n);
    if (ipv6) {
      const size_t length = f.size() - 40;
      f[4] = static_cast<uint8_t>(length >> 8);
      f[5] = static_cast<uint8_t>(length);
      const size_t frag = header - 8;  // the fragment header
      f[frag + 2] = static_cast<uint8_t>(offset >> 8);
      f[frag + 3] = static_cast<uint8_t>((offset & 0xF8) | (more ? 1 : 0));
    } else {
      f[2] = static_cast<uint8_t>(f.size() >> 8);
      f[3] = static_cast<uint8_t>(f.size());
      const size_t field = (offset / 8) | (more ? 0x2000 : 0);
      f[6] = static_cast<uint8_t>(field >> 8);
      f[7] = static_cast<uint8_t>(field);
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace tcpstate
