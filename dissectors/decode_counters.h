#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tcpstate {

// Every way a packet can fail to decode, or be skipped, has a named counter.
// The names are stable snake_case ids printed in every report summary.
// Keep the list append-only in spirit: reports sort by name, not position.
#define TCPSTATE_DECODE_COUNTERS(X)                                          \
  X(kLinkTruncated, "link_truncated")                                        \
  X(kVlanTruncated, "vlan_truncated")                                        \
  X(kNonIp, "non_ip")                                                        \
  X(kNullUnknownFamily, "null_unknown_family")                               \
  X(kIpv4Truncated, "ipv4_truncated")                                        \
  X(kIpv4BadVersion, "ipv4_bad_version")                                     \
  X(kIpv4BadHeaderLength, "ipv4_bad_header_length")                          \
  X(kIpv4BadTotalLength, "ipv4_bad_total_length")                            \
  X(kIpv4OptionsMalformed, "ipv4_options_malformed")                         \
  X(kIpv4NonFirstFragment, "ipv4_non_first_fragment")                        \
  X(kIpv4FirstFragment, "ipv4_first_fragment")                               \
  X(kIpv6Truncated, "ipv6_truncated")                                        \
  X(kIpv6BadVersion, "ipv6_bad_version")                                     \
  X(kIpv6BadPayloadLength, "ipv6_bad_payload_length")                        \
  X(kIpv6ExtTruncated, "ipv6_ext_header_truncated")                          \
  X(kIpv6TooManyExtHeaders, "ipv6_too_many_ext_headers")                     \
  X(kIpv6NonFirstFragment, "ipv6_non_first_fragment")                        \
  X(kIpv6FirstFragment, "ipv6_first_fragment")                               \
  X(kNotTcp, "not_tcp")                                                      \
  X(kTcpTruncated, "tcp_truncated")                                          \
  X(kTcpBadDataOffset, "tcp_bad_data_offset")                                \
  X(kTcpOptionsTruncated, "tcp_options_truncated")                           \
  X(kTcpOptionBadLength, "tcp_option_bad_length")                            \
  X(kTcpPayloadTruncated, "tcp_payload_truncated")                           \
  X(kTcpBadChecksum, "tcp_bad_checksum")                                     \
  X(kTcpChecksumOffloaded, "tcp_checksum_offloaded")                         \
  X(kTcpChecksumUnverified, "tcp_checksum_unverified")                       \
  X(kTcpZeroPort, "tcp_zero_port")                                          \
  X(kVlanTooManyTags, "vlan_too_many_tags")                                  \
  X(kTcpSegmentTooShort, "tcp_segment_too_short")                            \
  X(kIpv4ZeroTotalLength, "ipv4_zero_total_length")                          \
  X(kIpv6ZeroPayloadLength, "ipv6_zero_payload_length")                    \
  X(kPppoeTruncated, "pppoe_truncated")                                      \
  X(kMplsTruncated, "mpls_truncated")                                        \
  X(kMplsTooManyLabels, "mpls_too_many_labels")                             \
  X(kTunnelDecapsulated, "tunnel_decapsulated")                              \
  X(kTunnelTooDeep, "tunnel_too_deep")                                      \
  X(kTcpMssOnNonSyn, "tcp_mss_on_non_syn")                                   \
  X(kTcpWindowScaleTooLarge, "tcp_window_scale_too_large")                   \
  X(kTcpSynFin, "tcp_syn_fin")                                               \
  X(kTcpSynRst, "tcp_syn_rst")                                               \
  X(kTcpNullFlags, "tcp_null_flags")                                         \
  X(kTcpXmasFlags, "tcp_xmas_flags")                                         \
  X(kIpLengthOverPppoe, "ip_length_over_pppoe")                            \
  X(kIpFragmentsReassembled, "ip_fragments_reassembled")                    \
  X(kIpReassemblyDuplicate, "ip_reassembly_duplicate")                      \
  X(kIpReassemblyOverlap, "ip_reassembly_overlap")                          \
  X(kIpReassemblyTooLarge, "ip_reassembly_too_large")                       \
  X(kIpReassemblyBadEnd, "ip_reassembly_bad_end")                           \
  X(kIpReassemblyTimeout, "ip_reassembly_timeout")                          \
  X(kIpReassemblyDroppedFull, "ip_reassembly_dropped_full")                 \
  X(kIpReassemblyUnfinished, "ip_reassembly_unfinished")

enum class DecodeCounter : uint8_t {
#define TCPSTATE_ENUM_ENTRY(id, name) id,
  TCPSTATE_DECODE_COUNTERS(TCPSTATE_ENUM_ENTRY)
#undef TCPSTATE_ENUM_ENTRY
      kCount
};

inline constexpr size_t kNumDecodeCounters =
    static_cast<size_t>(DecodeCounter::kCount);

const char* DecodeCounterName(DecodeCounter c);

// A plain accumulator of counter values; the caller owns it.
struct DecodeCounters {
  std::array<uint64_t, kNumDecodeCounters> values{};

  void Bump(DecodeCounter c) { ++values[static_cast<size_t>(c)]; }
  uint64_t Get(DecodeCounter c) const {
    return values[static_cast<size_t>(c)];
  }
};

}  // namespace tcpstate
