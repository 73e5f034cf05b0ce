#pragma once

#include <optional>

#include "absl/types/span.h"
#include "dissectors/decode_counters.h"
#include "dissectors/ip_fragment.h"
#include "dissectors/link_type.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

enum class DecodeOutcome : uint8_t {
  kTcp,        // `segment` is set
  kSkipped,    // not TCP, not IP, or a non-first fragment: counted, no error
  kMalformed,  // a header could not be decoded: counted
  kFragment,   // `fragment` is set (DecodeOptions::report_fragments only)
};

struct DecodedPacket {
  DecodeOutcome outcome = DecodeOutcome::kSkipped;
  std::optional<TcpSegment> segment;
  std::optional<IpFragment> fragment;
};

struct DecodeOptions {
  // Off: a first fragment is decoded as a TCP segment holding only that
  // fragment's share of the data (checksum unverified), other fragments
  // are skipped. On: an IP fragment that Ipv4Fragment()/Ipv6Fragment()
  // accept is returned as kFragment for the caller to reassemble, and only
  // ipv4/ipv6_first_fragment or ipv4/ipv6_non_first_fragment is counted.
  bool report_fragments = false;
};

// Decodes link -> IP -> TCP from captured bytes. Pure: no I/O, no state
// beyond bumping the caller's counters (each malformation or skip bumps
// exactly one counter; a bad checksum is counted but the segment is still
// returned). Never reads outside `bytes`.
DecodedPacket Decode(LinkType link, absl::Span<const uint8_t> bytes,
                     DecodeCounters& counters);
DecodedPacket Decode(LinkType link, absl::Span<const uint8_t> bytes,
                     DecodeCounters& counters, const DecodeOptions& options);

// Decodes a reassembled datagram as Decode() decodes an unfragmented
// packet: TCP (the checksum verified over the whole segment, which is
// complete now), or a tunnel followed to the TCP inside (at most
// kMaxTunnelDepth levels, counting d.tunnel_depth). An inner IP fragment
// comes back as kFragment, its spans borrowing d.payload. Pure, as Decode.
DecodedPacket DecodeReassembled(const ReassembledDatagram& d,
                                DecodeCounters& counters);

}  // namespace tcpstate
