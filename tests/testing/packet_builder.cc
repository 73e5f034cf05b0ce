#include "tests/testing/packet_builder.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <string>

namespace tcpstate {
namespace {

void Put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void Put32(std::vector<uint8_t>& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v));
}

void Append(std::vector<uint8_t>& out, const std::vector<uint8_t>& more) {
  out.insert(out.end(), more.begin(), more.end());
}

// Parses a textual address; a typo in a test aborts loudly.
std::vector<uint8_t> ParseAddress(absl::string_view text, bool v6) {
  const std::string s(text);
  std::vector<uint8_t> out(v6 ? 16 : 4);
  if (inet_pton(v6 ? AF_INET6 : AF_INET, s.c_str(), out.data()) != 1) {
    std::abort();
  }
  return out;
}

// A plain RFC 1071 sum, 16 bits at a time, written apart from the
// dissectors' checksum code so that each checks the other.
uint32_t Sum16(const std::vector<uint8_t>& bytes, uint32_t sum) {
  for (size_t i = 0; i < bytes.size(); i += 2) {
    const uint32_t hi = bytes[i];
    const uint32_t lo = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    sum += (hi << 8) | lo;
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return sum;
}

uint16_t Fold(uint32_t sum) {
  while (sum > 0xFFFF) {
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

}  // namespace

PacketBuilder& PacketBuilder::Link(LinkType link) {
  link_ = link;
  return *this;
}
PacketBuilder& PacketBuilder::Vlan(uint16_t vlan_id, uint16_t tpid) {
  vlans_.emplace_back(tpid, vlan_id);
  return *this;
}
PacketBuilder& PacketBuilder::EtherType(uint16_t ether_type) {
  ether_type_ = ether_type;
  return *this;
}
PacketBuilder& PacketBuilder::LoopbackFamily(uint32_t family,
                                             bool big_endian) {
  loopback_family_ = std::make_pair(family, big_endian);
  return *this;
}
PacketBuilder& PacketBuilder::PadTo(size_t length) {
  pad_to_ = length;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4(absl::string_view src,
                                   absl::string_view dst) {
  ipv6_ = false;
  src_ = ParseAddress(src, false);
  dst_ = ParseAddress(dst, false);
  return *this;
}
PacketBuilder& PacketBuilder::Ipv6(absl::string_view src,
                                   absl::string_view dst) {
  ipv6_ = true;
  src_ = ParseAddress(src, true);
  dst_ = ParseAddress(dst, true);
  return *this;
}
PacketBuilder& PacketBuilder::Ttl(uint8_t ttl) {
  ttl_ = ttl;
  return *this;
}
PacketBuilder& PacketBuilder::IpId(uint16_t id) {
  ip_id_ = id;
  return *this;
}
PacketBuilder& PacketBuilder::IpProtocol(uint8_t protocol) {
  protocol_ = protocol;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4Options(std::vector<uint8_t> options) {
  while (options.size() % 4 != 0) {
    options.push_back(0);
  }
  ipv4_options_ = std::move(options);
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4HeaderWords(uint8_t ihl) {
  ihl_ = ihl;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4TotalLength(uint16_t total_length) {
  total_length_ = total_length;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4Version(uint8_t version) {
  ipv4_version_ = version;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4Fragment(uint16_t offset, bool more) {
  fragment_offset_ = offset;
  more_fragments_ = more;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv6PayloadLength(uint16_t payload_length) {
  ipv6_payload_length_ = payload_length;
  return *this;
}

PacketBuilder& PacketBuilder::Ipv6Extension(uint8_t type,
                                            std::vector<uint8_t> body) {
  const size_t unit = type == 51 ? 4 : 8;
  std::vector<uint8_t> bytes = {0, 0};
  Append(bytes, body);
  while (bytes.size() % unit != 0 || bytes.size() < 8) {
    bytes.push_back(0);
  }
  if (type == 51) {
    bytes[1] = static_cast<uint8_t>(bytes.size() / 4 - 2);
  } else if (type != 44) {
    bytes[1] = static_cast<uint8_t>(bytes.size() / 8 - 1);
  }
  extensions_.push_back(Extension{type, std::move(bytes)});
  return *this;
}

PacketBuilder& PacketBuilder::Ipv6Fragment(uint16_t offset, bool more,
                                           uint32_t id) {
  std::vector<uint8_t> body;
  Put16(body, static_cast<uint16_t>((offset & 0xFFF8) | (more ? 1 : 0)));
  Put32(body, id);
  return Ipv6Extension(44, std::move(body));
}

PacketBuilder& PacketBuilder::Ipv6Routing(
    uint8_t routing_type, uint8_t segments_left,
    const std::vector<std::string>& addresses) {
  std::vector<uint8_t> body = {routing_type, segments_left, 0, 0, 0, 0};
  for (const std::string& a : addresses) {
    Append(body, ParseAddress(a, true));
  }
  return Ipv6Extension(43, std::move(body));
}

PacketBuilder& PacketBuilder::Tcp(uint16_t src_port, uint16_t dst_port) {
  src_port_ = src_port;
  dst_port_ = dst_port;
  return *this;
}
PacketBuilder& PacketBuilder::Seq(uint32_t seq) {
  seq_ = seq;
  return *this;
}
PacketBuilder& PacketBuilder::Ack(uint32_t ack) {
  ack_ = ack;
  return *this;
}
PacketBuilder& PacketBuilder::Flags(uint16_t flags) {
  flags_ = flags;
  return *this;
}
PacketBuilder& PacketBuilder::Window(uint16_t window) {
  window_ = window;
  return *this;
}
PacketBuilder& PacketBuilder::Urgent(uint16_t urgent_pointer) {
  urgent_ = urgent_pointer;
  return *this;
}
PacketBuilder& PacketBuilder::DataOffsetWords(uint8_t words) {
  data_offset_ = words;
  return *this;
}
PacketBuilder& PacketBuilder::Mss(uint16_t mss) {
  options_.push_back(2);
  options_.push_back(4);
  Put16(options_, mss);
  return *this;
}
PacketBuilder& PacketBuilder::WindowScale(uint8_t shift) {
  Append(options_, {3, 3, shift});
  return *this;
}
PacketBuilder& PacketBuilder::SackPermitted() {
  Append(options_, {4, 2});
  return *this;
}
PacketBuilder& PacketBuilder::Sack(
    const std::vector<std::pair<uint32_t, uint32_t>>& blocks) {
  options_.push_back(5);
  options_.push_back(static_cast<uint8_t>(2 + 8 * blocks.size()));
  for (const auto& [left, right] : blocks) {
    Put32(options_, left);
    Put32(options_, right);
  }
  return *this;
}
PacketBuilder& PacketBuilder::Timestamps(uint32_t value, uint32_t echo_reply) {
  Append(options_, {8, 10});
  Put32(options_, value);
  Put32(options_, echo_reply);
  return *this;
}
PacketBuilder& PacketBuilder::FastOpen(uint8_t cookie_length) {
  options_.push_back(34);
  options_.push_back(static_cast<uint8_t>(2 + cookie_length));
  for (uint8_t i = 0; i < cookie_length; ++i) {
    options_.push_back(static_cast<uint8_t>(0xC0 + i));
  }
  return *this;
}
PacketBuilder& PacketBuilder::Nop() {
  options_.push_back(1);
  return *this;
}
PacketBuilder& PacketBuilder::Eol() {
  options_.push_back(0);
  return *this;
}
PacketBuilder& PacketBuilder::RawOption(std::vector<uint8_t> bytes) {
  Append(options_, bytes);
  return *this;
}
PacketBuilder& PacketBuilder::Payload(absl::string_view payload) {
  payload_.assign(payload.begin(), payload.end());
  return *this;
}
PacketBuilder& PacketBuilder::PayloadSize(size_t size) {
  payload_.resize(size);
  for (size_t i = 0; i < size; ++i) {
    payload_[i] = static_cast<uint8_t>('a' + i % 26);
  }
  return *this;
}
PacketBuilder& PacketBuilder::TcpChecksum(Checksum mode) {
  checksum_ = mode;
  return *this;
}

std::vector<uint8_t> PacketBuilder::TcpOptionBytes() const {
  std::vector<uint8_t> options = options_;
  while (options.size() % 4 != 0) {
    options.push_back(0);  // EOL padding
  }
  return options;
}

size_t PacketBuilder::TcpHeaderSize() const {
  return 20 + TcpOptionBytes().size();
}

std::vector<uint8_t> PacketBuilder::PseudoDestination() const {
  std::vector<uint8_t> dst = dst_;
  for (const Extension& e : extensions_) {
    if (e.type != 43 || e.bytes[3] == 0 || e.bytes.size() < 24) {
      continue;
    }
    const size_t count = (e.bytes.size() - 8) / 16;
    const size_t index = e.bytes[2] == 4 ? 0 : count - 1;
    dst.assign(e.bytes.begin() + 8 + 16 * index,
               e.bytes.begin() + 8 + 16 * (index + 1));
  }
  return dst;
}

uint16_t PacketBuilder::ComputeTcpChecksum(
    const std::vector<uint8_t>& segment) const {
  std::vector<uint8_t> pseudo = src_;
  Append(pseudo, PseudoDestination());
  if (ipv6_) {
    Put32(pseudo, static_cast<uint32_t>(segment.size()));
    Append(pseudo, {0, 0, 0, 6});
  } else {
    Append(pseudo, {0, 6});
    Put16(pseudo, static_cast<uint16_t>(segment.size()));
  }
  const uint32_t pseudo_sum = Sum16(pseudo, 0);
  switch (checksum_) {
    case Checksum::kOffloaded:
      return Fold(pseudo_sum);
    case Checksum::kOffloadedComplement:
      return static_cast<uint16_t>(~Fold(pseudo_sum));
    case Checksum::kCorrect:
    case Checksum::kCorrupt:
      break;
  }
  const uint16_t correct =
      static_cast<uint16_t>(~Fold(Sum16(segment, pseudo_sum)));
  return checksum_ == Checksum::kCorrupt ? correct ^ 0x0100 : correct;
}

std::vector<uint8_t> PacketBuilder::TcpBytes() const {
  const std::vector<uint8_t> options = TcpOptionBytes();
  const uint8_t words =
      data_offset_.value_or(static_cast<uint8_t>(5 + options.size() / 4));
  std::vector<uint8_t> out;
  Put16(out, src_port_);
  Put16(out, dst_port_);
  Put32(out, seq_);
  Put32(out, ack_);
  out.push_back(static_cast<uint8_t>((words << 4) | ((flags_ >> 8) & 0x01)));
  out.push_back(static_cast<uint8_t>(flags_));
  Put16(out, window_);
  Put16(out, 0);  // checksum, patched below
  Put16(out, urgent_);
  Append(out, options);
  Append(out, payload_);
  const uint16_t checksum = ComputeTcpChecksum(out);
  out[16] = static_cast<uint8_t>(checksum >> 8);
  out[17] = static_cast<uint8_t>(checksum);
  return out;
}

std::vector<uint8_t> PacketBuilder::Ipv4Header(size_t tcp_size) const {
  const size_t header_size = 20 + ipv4_options_.size();
  const uint8_t ihl = ihl_.value_or(static_cast<uint8_t>(header_size / 4));
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>((ipv4_version_ << 4) | (ihl & 0x0F)));
  out.push_back(0);
  Put16(out, total_length_.value_or(
                 static_cast<uint16_t>(header_size + tcp_size)));
  Put16(out, ip_id_);
  const bool fragment = more_fragments_ || fragment_offset_ != 0;
  Put16(out, static_cast<uint16_t>((fragment ? 0 : 0x4000) |
                                   (more_fragments_ ? 0x2000 : 0) |
                                   (fragment_offset_ / 8)));
  out.push_back(ttl_);
  out.push_back(protocol_);
  Put16(out, 0);
  Append(out, src_);
  Append(out, dst_);
  Append(out, ipv4_options_);
  const uint16_t checksum = static_cast<uint16_t>(~Fold(Sum16(out, 0)));
  out[10] = static_cast<uint8_t>(checksum >> 8);
  out[11] = static_cast<uint8_t>(checksum);
  return out;
}

std::vector<uint8_t> PacketBuilder::Ipv6Header(size_t upper_size) const {
  std::vector<uint8_t> ext;
  for (size_t i = 0; i < extensions_.size(); ++i) {
    std::vector<uint8_t> bytes = extensions_[i].bytes;
    bytes[0] = i + 1 < extensions_.size() ? extensions_[i + 1].type : protocol_;
    Append(ext, bytes);
  }
  std::vector<uint8_t> out = {0x60, 0, 0, 0};
  Put16(out, ipv6_payload_length_.value_or(
                 static_cast<uint16_t>(ext.size() + upper_size)));
  out.push_back(extensions_.empty() ? protocol_ : extensions_[0].type);
  out.push_back(ttl_);
  Append(out, src_);
  Append(out, dst_);
  Append(out, ext);
  return out;
}

std::vector<uint8_t> PacketBuilder::IpBytes() const {
  const std::vector<uint8_t> tcp = TcpBytes();
  std::vector<uint8_t> out =
      ipv6_ ? Ipv6Header(tcp.size()) : Ipv4Header(tcp.size());
  Append(out, tcp);
  return out;
}

size_t PacketBuilder::IpHeaderSize() const {
  return ipv6_ ? Ipv6Header(0).size() : Ipv4Header(0).size();
}

std::vector<uint8_t> PacketBuilder::LinkHeader(bool ipv6) const {
  const uint16_t type = ether_type_.value_or(ipv6 ? 0x86DD : 0x0800);
  std::vector<uint8_t> tagged;  // tags then the final type, as on the wire
  for (size_t i = 0; i < vlans_.size(); ++i) {
    Put16(tagged, vlans_[i].second);
    Put16(tagged, i + 1 < vlans_.size() ? vlans_[i + 1].first : type);
  }
  const uint16_t first_type = vlans_.empty() ? type : vlans_[0].first;
  const uint32_t family = loopback_family_.has_value()
                              ? loopback_family_->first
                              : (ipv6 ? 24u : 2u);
  const bool big_endian = loopback_family_.has_value() &&
                          loopback_family_->second;
  std::vector<uint8_t> out;
  switch (link_) {
    case LinkType::kEthernet:
      out = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
      Put16(out, first_type);
      break;
    case LinkType::kLinuxSll:
      out = {0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0};
      Put16(out, first_type);
      break;
    case LinkType::kLinuxSll2:
      Put16(out, first_type);
      Append(out, {0, 0, 0, 0, 0, 1, 0, 1, 0, 6});
      Append(out, {0x02, 0, 0, 0, 0, 0x01, 0, 0});
      break;
    case LinkType::kNull:
      if (big_endian) {
        Put32(out, family);
      } else {
        Append(out, {static_cast<uint8_t>(family),
                     static_cast<uint8_t>(family >> 8),
                     static_cast<uint8_t>(family >> 16),
                     static_cast<uint8_t>(family >> 24)});
      }
      return out;
    case LinkType::kLoop:
      Put32(out, family);
      return out;
    case LinkType::kFddi:  // frame control, MACs, LLC/SNAP with zero OUI
      out = {0x50, 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
      Append(out, {0xAA, 0xAA, 0x03, 0, 0, 0});
      Put16(out, first_type);
      break;
    case LinkType::kRaw:
    case LinkType::kIpv4:
    case LinkType::kIpv6:
      return out;
  }
  Append(out, tagged);
  return out;
}

size_t PacketBuilder::LinkHeaderSize() const {
  return LinkHeader(ipv6_).size();
}

std::vector<uint8_t> PacketBuilder::Bytes() const {
  std::vector<uint8_t> out = LinkHeader(ipv6_);
  Append(out, IpBytes());
  if (out.size() < pad_to_) {
    out.resize(pad_to_, 0);
  }
  return out;
}

}  // namespace tcpstate
