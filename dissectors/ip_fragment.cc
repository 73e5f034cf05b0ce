#include "dissectors/ip_fragment.h"

namespace tcpstate {
namespace {

constexpr uint8_t kIpInIp = 4;
constexpr uint8_t kUdp = 17;
constexpr uint8_t kIpv6InIp = 41;
constexpr uint8_t kGre = 47;
constexpr uint32_t kMaxIpLength = 65535;

}  // namespace

bool ReassemblyWanted(uint8_t protocol) {
  return protocol == IpProtocol::kTcp || protocol == kUdp ||
         protocol == kGre || protocol == kIpInIp || protocol == kIpv6InIp;
}

std::optional<IpFragment> Ipv4Fragment(const Ipv4View& ip, int tunnel_depth) {
  if (!ip.is_fragment() || !ReassemblyWanted(ip.protocol()) ||
      ip.truncated()) {
    return std::nullopt;
  }
  IpFragment f;
  f.family = IpFamily::kIpv4;
  f.src = ip.source();
  f.dst = ip.destination();
  f.identification = ip.identification();
  f.protocol = ip.protocol();
  f.offset = ip.fragment_offset();
  f.more_fragments = ip.more_fragments();
  f.data = ip.payload();
  // RFC 791: Total Length (header included) is 16 bits.
  f.max_end = kMaxIpLength - static_cast<uint32_t>(ip.header_length());
  f.tunnel_depth = tunnel_depth;
  f.pseudo_dst = ip.destination();
  f.header_length = static_cast<uint32_t>(ip.header_length());
  f.ip_id = ip.identification();
  f.ttl = ip.ttl();
  return f;
}

std::optional<IpFragment> Ipv6Fragment(const Ipv6View& ip, int tunnel_depth) {
  // An atomic fragment (offset 0, M=0) is processed in isolation, never
  // reassembled (RFC 6946 section 4).
  const bool atomic = ip.fragment_offset() == 0 && !ip.more_fragments();
  if (!ip.is_fragment() || atomic || ip.fragment_header_count() != 1 ||
      !ReassemblyWanted(ip.fragment_next_header()) ||
      ip.fragment_data().size() < ip.fragment_data_length()) {
    return std::nullopt;
  }
  IpFragment f;
  f.family = IpFamily::kIpv6;
  f.src = ip.source();
  f.dst = ip.destination();
  f.identification = ip.fragment_identification();
  f.protocol = ip.fragment_next_header();
  f.offset = ip.fragment_offset();
  f.more_fragments = ip.more_fragments();
  f.data = ip.fragment_data();
  // RFC 8200 4.5: the reassembled Payload Length (unfragmentable headers
  // plus fragmentable part) must fit 16 bits.
  f.max_end = kMaxIpLength - static_cast<uint32_t>(ip.unfragmentable_length());
  f.tunnel_depth = tunnel_depth;
  // RFC 8200 8.1: the pseudo-header uses the final destination, which a
  // routing header in the unfragmentable part names.
  f.pseudo_dst = ip.final_destination();
  f.header_length = static_cast<uint32_t>(Ipv6View::kHeaderSize +
                                          ip.unfragmentable_length());
  f.ttl = ip.hop_limit();
  return f;
}

}  // namespace tcpstate
