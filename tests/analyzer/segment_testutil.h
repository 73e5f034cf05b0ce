#pragma once

#include <cstdint>

#include "dissectors/ip_address.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// The two ends of a scripted test connection.
struct TestPeers {
  IpAddress client;
  IpAddress server;
  uint16_t client_port = 40000;
  uint16_t server_port = 8000;
};

// A TCP segment between `peers` in the given direction, with absolute
// sequence and acknowledgment numbers.
inline TcpSegment MakeSegment(const TestPeers& peers, bool from_client,
                              uint16_t flags, uint32_t seq, uint32_t ack,
                              uint32_t len, uint16_t ip_id) {
  TcpSegment s;
  s.src = from_client ? peers.client : peers.server;
  s.dst = from_client ? peers.server : peers.client;
  s.src_port = from_client ? peers.client_port : peers.server_port;
  s.dst_port = from_client ? peers.server_port : peers.client_port;
  s.seq = SeqNum(seq);
  s.ack = SeqNum(ack);
  s.flags.bits = flags;
  s.window = 65535;
  s.payload_len = len;
  s.ip_total_len = 40 + len;
  s.ip_id = ip_id;
  return s;
}

}  // namespace tcpstate
