// The state a connection keeps as segments arrive (folds that continue
// from the last one where events were only appended) must be the state a
// full replay of the events gives at the same capture time, whatever the
// segments: random scripts of handshakes, data, retransmissions, FINs and
// RSTs with pauses past the retransmission give-up and TIME_WAIT timers.
#include <cstdint>
#include <memory>
#include <random>

#include "absl/time/time.h"
#include "analyzer/connection.h"
#include "analyzer/flow_key.h"
#include "analyzer/tcp_state.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kRst = TcpFlags::kRst,
                   kPsh = TcpFlags::kPsh;

// One endpoint as the script drives it.
struct Peer {
  uint32_t isn;
  uint32_t next;   // next sequence number to send
  uint32_t acked;  // highest ACK it sent (what it has received)
};

class Script {
 public:
  explicit Script(uint32_t seed) : rng_(seed) {
    peers_.client = IpAddress::V4(0xC6120001);
    peers_.server = IpAddress::V4(0xC6120002);
    side_[0] = Peer{Below(1u << 31), 0, 0};
    side_[1] = Peer{Below(1u << 31) + (1u << 30), 0, 0};
    for (Peer& p : side_) {
      p.next = p.isn;
    }
  }

  // The next segment (and the pause before it).
  TcpSegment Next(bool* from_client, absl::Duration* pause) {
    const bool c = Below(2) == 0;
    *from_client = c;
    Peer& x = side_[c ? 0 : 1];
    Peer& y = side_[c ? 1 : 0];
    const uint32_t r = Below(100);
    *pause = r < 80   ? absl::Milliseconds(1 + Below(30))
             : r < 92 ? absl::Seconds(1 + Below(6))
             : r < 97 ? absl::Seconds(20 + Below(30))
                      : absl::Seconds(61 + Below(60));
    uint16_t flags = kAck;
    uint32_t seq = x.next;
    uint32_t len = 0;
    const uint32_t ack = Below(4) == 0 ? y.isn + Below(3) : y.next;
    switch (Below(12)) {
      case 0:  // SYN (first or again)
        flags = kSyn;
        seq = x.isn;
        break;
      case 1:  // SYN-ACK
        flags = kSyn | kAck;
        seq = x.isn;
        break;
      case 2:
      case 3:
      case 4:  // new data
        len = 1 + Below(100);
        flags = kAck | kPsh;
        break;
      case 5:  // a retransmission of earlier data or control
        seq = x.next - Below(3) * 50;
        len = Below(2) * 50;
        break;
      case 6:  // FIN
        flags = kFin | kAck;
        break;
      case 7:  // the FIN again
        flags = kFin | kAck;
        seq = x.next - 1;
        break;
      case 8:  // RST
        flags = Below(2) == 0 ? kRst : (kRst | kAck);
        break;
      default:  // pure ACK
        break;
    }
    const uint32_t span = len + ((flags & (kSyn | kFin)) != 0 ? 1 : 0);
    if (seq + span - x.next < (1u << 31) && seq + span != x.next) {
      x.next = seq + span;  // it moved forward
    }
    if ((flags & kAck) != 0) {
      x.acked = ack;
    }
    return MakeSegment(peers_, c, flags, seq, (flags & kAck) != 0 ? ack : 0,
                       len, static_cast<uint16_t>(++ip_id_));
  }

  const TestPeers& peers() const { return peers_; }

 private:
  uint32_t Below(uint32_t n) {
    return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_);
  }

  std::mt19937 rng_;
  TestPeers peers_;
  Peer side_[2];
  uint16_t ip_id_ = 0;
};

TEST(ConnectionFoldTest, KeptStatesEqualAFullReplay) {
  ConnectionOptions options;
  int compared = 0;
  for (uint32_t seed = 1; seed <= 1500; ++seed) {
    Script script(seed);
    bool from_client = true;
    absl::Duration pause;
    TcpSegment seg = script.Next(&from_client, &pause);
    bool from_low = false;
    const FlowKey key = FlowKey::Of(seg, &from_low);
    const bool client_is_low = from_client ? from_low : !from_low;
    Connection conn(1, key, client_is_low, RoleRule::kSynSenderIsClient, false,
                    options);
    absl::Time now = absl::FromUnixSeconds(1700000000);
    for (uint64_t packet = 1; packet <= 40; ++packet) {
      conn.OnSegment(seg, from_client, SegmentContext{packet, now});
      for (const absl::Time at : {now, now + pause / 2}) {
        conn.Refresh(at);
        const ConnectionRecord rec = conn.ToRecord(at, EndReason::kCaptureEnd);
        ASSERT_EQ(conn.client_state(), rec.client.state)
            << "seed " << seed << " packet " << packet;
        ASSERT_EQ(conn.server_state(), rec.server.state)
            << "seed " << seed << " packet " << packet;
        ++compared;
      }
      now += pause;
      seg = script.Next(&from_client, &pause);
    }
  }
  EXPECT_EQ(compared, 1500 * 40 * 2);
}

}  // namespace
}  // namespace tcpstate
