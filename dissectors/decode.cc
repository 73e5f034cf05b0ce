#include "dissectors/decode.h"

#include <algorithm>
#include <optional>

#include "dissectors/checksum.h"
#include "dissectors/encapsulation.h"
#include "dissectors/ethernet.h"
#include "dissectors/fddi.h"
#include "dissectors/ip_address.h"
#include "dissectors/ipv4.h"
#include "dissectors/ipv6.h"
#include "dissectors/linux_sll.h"
#include "dissectors/loopback.h"
#include "dissectors/parse_result.h"
#include "dissectors/tcp.h"
#include "dissectors/tcp_options.h"

namespace tcpstate {
namespace {

// The bytes after the link header and which network layer they hold.
struct NetworkPayload {
  NetworkProtocol protocol = NetworkProtocol::kOther;
  absl::Span<const uint8_t> bytes;
  // The packet's length as a PPPoE header declares it, when there is one.
  std::optional<uint32_t> declared_length;
};

// What the IP layer hands to the TCP layer.
struct TcpInput {
  absl::Span<const uint8_t> src;
  absl::Span<const uint8_t> dst;
  absl::Span<const uint8_t> pseudo_dst;  // final destination (IPv6 routing)
  absl::Span<const uint8_t> segment;     // captured, within the IP length
  uint32_t declared_length = 0;          // segment length from the IP header
  uint32_t ip_total_len = 0;
  uint16_t ip_id = 0;
  uint8_t ttl = 0;
  bool first_fragment = false;
  // The IP length was cut to a shorter PPPoE length: which of the two the
  // sender's checksum covers is unknown.
  bool length_clamped = false;
};

// The protocol and payload of an IP packet that does not carry TCP, kept so
// that a tunnel inside can be decoded.
struct IpNext {
  uint8_t protocol = 0;
  absl::Span<const uint8_t> payload;
};

// What an IP layer hands back besides a TcpInput, and how to decode it.
struct IpContext {
  bool report_fragments = false;
  int depth = 0;  // tunnels around the IP layer being decoded
  // The PPPoE length of the packet, when there is one: a fragment longer
  // is not reported (which of its bytes are data and which padding is
  // unknown), so it is decoded as without reassembly.
  std::optional<uint32_t> container_limit;
  IpNext next;
  std::optional<IpFragment> fragment;  // set with kIpv4/6(Non)FirstFragment
};

// Tunnels inside tunnels are followed this many levels deep.
constexpr int kMaxTunnelDepth = 4;

// Skips are expected traffic we do not analyse; everything else is damage.
DecodeOutcome OutcomeFor(DecodeError error) {
  switch (error) {
    case DecodeError::kNonIp:
    case DecodeError::kNullUnknownFamily:
    case DecodeError::kIpv4NonFirstFragment:
    case DecodeError::kIpv6NonFirstFragment:
    case DecodeError::kNotTcp:
    case DecodeError::kTunnelTooDeep:
      return DecodeOutcome::kSkipped;
    default:
      return DecodeOutcome::kMalformed;
  }
}

// The network packet length a link layer declares: only PPPoE has one.
template <typename View>
std::optional<uint32_t> DeclaredLength(const View&) {
  return std::nullopt;
}
std::optional<uint32_t> DeclaredLength(const EthernetView& v) {
  return v.vlans().declared_length();
}
std::optional<uint32_t> DeclaredLength(const SllView& v) {
  return v.vlans().declared_length();
}
std::optional<uint32_t> DeclaredLength(const Sll2View& v) {
  return v.vlans().declared_length();
}

template <typename View>
ParseResult<NetworkPayload> FromLinkView(const ParseResult<View>& link,
                                         DecodeError unknown_network) {
  if (!link.ok()) {
    return ParseResult<NetworkPayload>::Error(link.error());
  }
  const NetworkProtocol protocol = link.view().network();
  if (protocol == NetworkProtocol::kOther) {
    return ParseResult<NetworkPayload>::Error(unknown_network);
  }
  return ParseResult<NetworkPayload>::Ok(NetworkPayload{
      protocol, link.view().payload(), DeclaredLength(link.view())});
}

ParseResult<NetworkPayload> FromRaw(absl::Span<const uint8_t> bytes) {
  if (bytes.empty()) {
    return ParseResult<NetworkPayload>::Error(DecodeError::kLinkTruncated);
  }
  switch (bytes[0] >> 4) {
    case 4:
      return ParseResult<NetworkPayload>::Ok(
          NetworkPayload{NetworkProtocol::kIpv4, bytes, std::nullopt});
    case 6:
      return ParseResult<NetworkPayload>::Ok(
          NetworkPayload{NetworkProtocol::kIpv6, bytes, std::nullopt});
    default:
      return ParseResult<NetworkPayload>::Error(DecodeError::kNonIp);
  }
}

ParseResult<NetworkPayload> ParseLink(LinkType link,
                                      absl::Span<const uint8_t> bytes) {
  switch (link) {
    case LinkType::kEthernet:
      return FromLinkView(EthernetView::Parse(bytes), DecodeError::kNonIp);
    case LinkType::kLinuxSll:
      return FromLinkView(SllView::Parse(bytes), DecodeError::kNonIp);
    case LinkType::kLinuxSll2:
      return FromLinkView(Sll2View::Parse(bytes), DecodeError::kNonIp);
    case LinkType::kNull:
      return FromLinkView(NullView::Parse(bytes),
                          DecodeError::kNullUnknownFamily);
    case LinkType::kLoop:
      return FromLinkView(LoopView::Parse(bytes),
                          DecodeError::kNullUnknownFamily);
    case LinkType::kRaw:
      return FromRaw(bytes);
    case LinkType::kIpv4:
      return ParseResult<NetworkPayload>::Ok(
          NetworkPayload{NetworkProtocol::kIpv4, bytes, std::nullopt});
    case LinkType::kIpv6:
      return ParseResult<NetworkPayload>::Ok(
          NetworkPayload{NetworkProtocol::kIpv6, bytes, std::nullopt});
    case LinkType::kFddi:
      return FromLinkView(FddiView::Parse(bytes), DecodeError::kNonIp);
  }
  return ParseResult<NetworkPayload>::Error(DecodeError::kNonIp);
}

ParseResult<TcpInput> FromIpv4(absl::Span<const uint8_t> bytes,
                               DecodeCounters& counters, IpContext& ctx) {
  IpNext& next = ctx.next;
  const ParseResult<Ipv4View> parsed = Ipv4View::Parse(bytes);
  if (!parsed.ok()) {
    return ParseResult<TcpInput>::Error(parsed.error());
  }
  const Ipv4View& ip = parsed.view();
  if (ctx.report_fragments) {
    ctx.fragment = Ipv4Fragment(ip, ctx.depth);
    if (ctx.container_limit.has_value() &&
        *ctx.container_limit < ip.total_length()) {
      ctx.fragment.reset();
    }
    if (ctx.fragment.has_value()) {
      return ParseResult<TcpInput>::Error(
          ip.fragment_offset() == 0 ? DecodeError::kIpv4FirstFragment
                                    : DecodeError::kIpv4NonFirstFragment);
    }
  }
  if (ip.fragment_offset() != 0) {
    return ParseResult<TcpInput>::Error(DecodeError::kIpv4NonFirstFragment);
  }
  if (ip.protocol() != IpProtocol::kTcp) {
    if (!ip.more_fragments()) {  // a tunnel in a fragment is not decoded
      next = IpNext{ip.protocol(), ip.payload()};
    }
    return ParseResult<TcpInput>::Error(DecodeError::kNotTcp);
  }
  if (ip.zero_total_length()) {
    counters.Bump(DecodeCounter::kIpv4ZeroTotalLength);
  }
  if (ip.options_malformed()) {
    counters.Bump(DecodeCounter::kIpv4OptionsMalformed);
  }
  if (ip.more_fragments()) {
    counters.Bump(DecodeCounter::kIpv4FirstFragment);
  }
  TcpInput in;
  in.src = ip.source();
  in.dst = ip.destination();
  in.pseudo_dst = ip.destination();
  in.segment = ip.payload();
  in.declared_length = ip.payload_length();
  in.ip_total_len = ip.total_length();
  in.ip_id = ip.identification();
  in.ttl = ip.ttl();
  in.first_fragment = ip.more_fragments();
  return ParseResult<TcpInput>::Ok(in);
}

ParseResult<TcpInput> FromIpv6(absl::Span<const uint8_t> bytes,
                               DecodeCounters& counters, IpContext& ctx) {
  IpNext& next = ctx.next;
  const ParseResult<Ipv6View> parsed = Ipv6View::Parse(bytes);
  if (!parsed.ok()) {
    return ParseResult<TcpInput>::Error(parsed.error());
  }
  const Ipv6View& ip = parsed.view();
  if (ctx.report_fragments) {
    ctx.fragment = Ipv6Fragment(ip, ctx.depth);
    if (ctx.container_limit.has_value() &&
        *ctx.container_limit < Ipv6View::kHeaderSize + ip.payload_length()) {
      ctx.fragment.reset();
    }
    if (ctx.fragment.has_value()) {
      return ParseResult<TcpInput>::Error(
          ip.fragment_offset() == 0 ? DecodeError::kIpv6FirstFragment
                                    : DecodeError::kIpv6NonFirstFragment);
    }
  }
  if (ip.is_fragment() && ip.fragment_offset() != 0) {
    return ParseResult<TcpInput>::Error(DecodeError::kIpv6NonFirstFragment);
  }
  if (ip.upper_protocol() != IpProtocol::kTcp) {
    if (!ip.is_fragment()) {
      next = IpNext{ip.upper_protocol(), ip.upper_payload()};
    }
    return ParseResult<TcpInput>::Error(DecodeError::kNotTcp);
  }
  if (ip.zero_payload_length()) {
    counters.Bump(DecodeCounter::kIpv6ZeroPayloadLength);
  }
  const bool first_fragment = ip.is_fragment() && ip.more_fragments();
  if (first_fragment) {
    counters.Bump(DecodeCounter::kIpv6FirstFragment);
  }
  TcpInput in;
  in.src = ip.source();
  in.dst = ip.destination();
  in.pseudo_dst = ip.final_destination();
  in.segment = ip.upper_payload();
  in.declared_length = ip.upper_length();
  in.ip_total_len = static_cast<uint32_t>(Ipv6View::kHeaderSize) +
                    ip.payload_length();
  in.ttl = ip.hop_limit();
  in.first_fragment = first_fragment;
  return ParseResult<TcpInput>::Ok(in);
}

ChecksumStatus CheckTcpChecksum(const TcpInput& in, const TcpView& tcp,
                                DecodeCounters& counters) {
  if (in.first_fragment || in.length_clamped || !tcp.complete()) {
    counters.Bump(DecodeCounter::kTcpChecksumUnverified);
    return ChecksumStatus::kUnverified;
  }
  const uint64_t pseudo = PseudoHeaderSum(in.src, in.pseudo_dst,
                                          IpProtocol::kTcp, in.declared_length);
  const ChecksumStatus status =
      ClassifyTcpChecksum(pseudo, tcp.bytes(), tcp.checksum());
  if (status == ChecksumStatus::kBad) {
    counters.Bump(DecodeCounter::kTcpBadChecksum);
  } else if (status == ChecksumStatus::kOffloaded) {
    counters.Bump(DecodeCounter::kTcpChecksumOffloaded);
  }
  return status;
}

void FillSegment(const TcpInput& in, const TcpView& tcp, TcpSegment& seg) {
  seg.src = IpAddress::FromBytes(in.src);
  seg.dst = IpAddress::FromBytes(in.dst);
  FillTcpFields(tcp, seg);
  seg.ip_total_len = in.ip_total_len;
  seg.ip_id = in.ip_id;
  seg.ttl = in.ttl;
  seg.first_fragment = in.first_fragment;
}

DecodedPacket DecodeTcp(const TcpInput& in, DecodeCounters& counters) {
  const ParseResult<TcpView> parsed = TcpView::Parse(
      in.segment, in.declared_length,
      in.first_fragment ? SegmentExtent::kFirstFragment
                        : SegmentExtent::kComplete);
  DecodedPacket out;
  if (!parsed.ok()) {
    counters.Bump(parsed.error());
    out.outcome = OutcomeFor(parsed.error());
    return out;
  }
  const TcpView& tcp = parsed.view();
  out.outcome = DecodeOutcome::kTcp;
  TcpSegment& seg = out.segment.emplace();
  FillSegment(in, tcp, seg);
  CountTcpProblems(tcp, seg, counters);
  seg.checksum = CheckTcpChecksum(in, tcp, counters);
  return out;
}

// An IP packet longer than its PPPoE container says: the container wins,
// as in TShark (the bytes past it are padding, not segment data).
ParseResult<TcpInput> ClampToContainer(const ParseResult<TcpInput>& input,
                                       std::optional<uint32_t> limit,
                                       DecodeCounters& counters) {
  if (!input.ok() || !limit.has_value() ||
      *limit >= input.view().ip_total_len) {
    return input;
  }
  counters.Bump(DecodeCounter::kIpLengthOverPppoe);
  TcpInput in = input.view();
  const uint32_t excess = in.ip_total_len - *limit;
  in.declared_length = in.declared_length > excess ? in.declared_length - excess
                                                   : 0;
  in.segment = in.segment.subspan(
      0, std::min<size_t>(in.segment.size(), in.declared_length));
  in.ip_total_len = *limit;
  in.length_clamped = true;
  return ParseResult<TcpInput>::Ok(in);
}

// The IP layer of `network`, following tunnels (kMaxTunnelDepth deep) when
// it carries no TCP itself. `ctx.depth` is the depth of `network`.
ParseResult<TcpInput> FromNetwork(ParseResult<NetworkPayload> network,
                                  DecodeCounters& counters, IpContext& ctx) {
  for (;; ++ctx.depth) {
    if (!network.ok()) {
      return ParseResult<TcpInput>::Error(network.error());
    }
    ctx.next = IpNext{};
    const std::optional<uint32_t> limit = network.view().declared_length;
    ctx.container_limit = limit;
    const ParseResult<TcpInput> input = ClampToContainer(
        network.view().protocol == NetworkProtocol::kIpv4
            ? FromIpv4(network.view().bytes, counters, ctx)
            : FromIpv6(network.view().bytes, counters, ctx),
        limit, counters);
    if (input.ok() || input.error() != DecodeError::kNotTcp) {
      if (input.ok() && ctx.depth > 0) {
        counters.Bump(DecodeCounter::kTunnelDecapsulated);
      }
      return input;
    }
    const std::optional<TunnelPayload> inner =
        Decapsulate(ctx.next.protocol, ctx.next.payload);
    if (!inner.has_value()) {
      return input;
    }
    if (ctx.depth == kMaxTunnelDepth) {
      return ParseResult<TcpInput>::Error(DecodeError::kTunnelTooDeep);
    }
    network = inner->ethernet ? ParseLink(LinkType::kEthernet, inner->bytes)
                              : FromRaw(inner->bytes);
  }
}

DecodedPacket Conclude(const ParseResult<TcpInput>& input,
                       const IpContext& ctx, DecodeCounters& counters) {
  if (input.ok()) {
    return DecodeTcp(input.view(), counters);
  }
  counters.Bump(input.error());
  DecodedPacket out;
  if (ctx.fragment.has_value()) {
    out.outcome = DecodeOutcome::kFragment;
    out.fragment = ctx.fragment;
  } else {
    out.outcome = OutcomeFor(input.error());
  }
  return out;
}

// The upper layer of a reassembled datagram: for IPv6, past the extension
// headers that followed the fragment header.
ParseResult<Ipv6UpperLayer> UpperLayer(const ReassembledDatagram& d) {
  if (d.family == IpFamily::kIpv6) {
    return ParseIpv6UpperLayer(d.protocol, d.payload);
  }
  return ParseResult<Ipv6UpperLayer>::Ok(
      Ipv6UpperLayer{d.protocol, d.payload, {}});
}

}  // namespace

DecodedPacket Decode(LinkType link, absl::Span<const uint8_t> bytes,
                     DecodeCounters& counters) {
  return Decode(link, bytes, counters, DecodeOptions{});
}

DecodedPacket Decode(LinkType link, absl::Span<const uint8_t> bytes,
                     DecodeCounters& counters, const DecodeOptions& options) {
  IpContext ctx;
  ctx.report_fragments = options.report_fragments;
  const ParseResult<TcpInput> input =
      FromNetwork(ParseLink(link, bytes), counters, ctx);
  return Conclude(input, ctx, counters);
}

DecodedPacket DecodeReassembled(const ReassembledDatagram& d,
                                DecodeCounters& counters) {
  IpContext ctx;
  ctx.report_fragments = true;
  ctx.depth = d.tunnel_depth;
  const ParseResult<Ipv6UpperLayer> upper = UpperLayer(d);
  if (!upper.ok()) {
    return Conclude(ParseResult<TcpInput>::Error(upper.error()), ctx,
                    counters);
  }
  const Ipv6UpperLayer& up = upper.view();
  if (up.protocol == IpProtocol::kTcp) {
    if (d.tunnel_depth > 0) {
      counters.Bump(DecodeCounter::kTunnelDecapsulated);
    }
    TcpInput in;
    in.src = d.src;
    in.dst = d.dst;
    in.pseudo_dst = up.final_destination.empty() ? d.pseudo_dst
                                                 : up.final_destination;
    in.segment = up.payload;
    in.declared_length = static_cast<uint32_t>(up.payload.size());
    in.ip_total_len =
        d.header_length + static_cast<uint32_t>(d.payload.size());
    in.ip_id = d.ip_id;
    in.ttl = d.ttl;
    return DecodeTcp(in, counters);
  }
  const std::optional<TunnelPayload> inner =
      Decapsulate(up.protocol, up.payload);
  if (!inner.has_value()) {
    return Conclude(ParseResult<TcpInput>::Error(DecodeError::kNotTcp), ctx,
                    counters);
  }
  if (d.tunnel_depth >= kMaxTunnelDepth) {
    return Conclude(ParseResult<TcpInput>::Error(DecodeError::kTunnelTooDeep),
                    ctx, counters);
  }
  ++ctx.depth;
  const ParseResult<TcpInput> input = FromNetwork(
      inner->ethernet ? ParseLink(LinkType::kEthernet, inner->bytes)
                      : FromRaw(inner->bytes),
      counters, ctx);
  return Conclude(input, ctx, counters);
}

}  // namespace tcpstate
