#pragma once

// A capture built frame by frame (owning its bytes), run through any
// engine with OnFrame()/Finish(): the analyzer tests of the sharded
// engines compare them on the same frames.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/tcp_state.h"
#include "dissectors/frame.h"
#include "dissectors/tcp_segment.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace testing_script {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kRst = TcpFlags::kRst, kFin = TcpFlags::kFin,
                   kPsh = TcpFlags::kPsh;

// A capture built frame by frame (owning the bytes), for both engines.
class Script {
 public:
  explicit Script(bool v6) : v6_(v6) {}

  std::string Host(int n) const {
    return v6_ ? absl::StrCat("2001:db8::", n) : absl::StrCat("198.18.0.", n);
  }
  void Send(int src, int dst, uint16_t sport, uint16_t dport, uint16_t flags,
            uint32_t seq, uint32_t ack, size_t len = 0,
            absl::Duration gap = absl::Milliseconds(1)) {
    t_ += gap;
    PacketBuilder b;
    if (v6_) {
      b.Ipv6(Host(src), Host(dst));
    } else {
      b.Ipv4(Host(src), Host(dst));
    }
    b.Tcp(sport, dport).Seq(seq).Ack(ack).Flags(flags).PayloadSize(len);
    frames_.push_back(Stored{t_, b.Bytes()});
  }
  void Wait(absl::Duration d) { t_ += d; }

  // A complete exchange from `port`: handshake, data, close by the client.
  void Complete(int c, int s, uint16_t port, uint32_t isn) {
    Send(c, s, port, 80, kSyn, isn, 0);
    Send(s, c, 80, port, kSyn | kAck, 9000, isn + 1);
    Send(c, s, port, 80, kAck, isn + 1, 9001);
    Send(c, s, port, 80, kPsh | kAck, isn + 1, 9001, 100);
    Send(s, c, 80, port, kAck, 9001, isn + 101);
    Send(c, s, port, 80, kFin | kAck, isn + 101, 9001);
    Send(s, c, 80, port, kFin | kAck, 9001, isn + 102);
    Send(c, s, port, 80, kAck, isn + 102, 9002);
  }

  template <typename Engine>
  AnalysisResult Run(Engine& engine) const {
    uint64_t n = 0;
    for (const Stored& s : frames_) {
      Frame f;
      f.timestamp = s.t;
      f.number = ++n;
      f.wire_length = static_cast<uint32_t>(s.bytes.size());
      f.bytes = absl::MakeConstSpan(s.bytes);
      engine.OnFrame(f);
    }
    return engine.Finish();
  }

 private:
  struct Stored {
    absl::Time t;
    std::vector<uint8_t> bytes;
  };
  bool v6_;
  absl::Time t_ = absl::FromUnixSeconds(1763730000);
  std::vector<Stored> frames_;
};

// Every kind of ending, sweeps (TIME_WAIT runs out while traffic goes on),
// port reuse (its anomaly names the connection replaced, by id), RSTs,
// unanswered SYNs from many sources (a SYN flood: a host-level finding)
// and connections still open at the end.
inline Script Traffic(bool v6) {
  Script s(v6);
  for (uint16_t i = 0; i < 40; ++i) {
    s.Complete(1, 2, static_cast<uint16_t>(41000 + i), 1000u * i);
  }
  // Reused 4-tuples: a new SYN while the old connection is in TIME_WAIT.
  for (uint16_t i = 0; i < 10; ++i) {
    s.Complete(1, 2, static_cast<uint16_t>(41000 + i), 500000u + i);
  }
  for (uint16_t i = 0; i < 20; ++i) {  // refused
    const uint16_t port = static_cast<uint16_t>(42000 + i);
    s.Send(3, 2, port, 81, kSyn, 7000, 0);
    s.Send(2, 3, 81, port, kRst | kAck, 0, 7001);
  }
  s.Wait(absl::Seconds(70));  // past TIME_WAIT: a sweep writes them out
  for (int src = 10; src < 250; ++src) {  // a SYN flood on host 4
    s.Send(src, 4, static_cast<uint16_t>(30000 + src), 80, kSyn, 1u * src, 0,
           0, absl::Microseconds(200));
  }
  s.Wait(absl::Seconds(2));  // the flood's handshakes are pending by then
  for (uint16_t i = 0; i < 30; ++i) {  // open at the end, mid-stream too
    const uint16_t port = static_cast<uint16_t>(43000 + i);
    s.Send(5, 6, port, 443, kSyn, 100, 0);
    s.Send(6, 5, 443, port, kSyn | kAck, 200, 101);
    s.Send(5, 6, port, 443, kAck, 101, 201);
    s.Send(7, 6, static_cast<uint16_t>(44000 + i), 22, kPsh | kAck, 5, 9, 10);
  }
  return s;
}

// The result, one line per record and finding: equal when the results are.
inline std::string Describe(const AnalysisResult& r) {
  std::string out = absl::StrCat(
      "packets ", r.summary.packets, " tcp ", r.summary.tcp_packets,
      " connections ", r.summary.connections, " finished ",
      r.summary.connections_finished, " evicted ",
      r.summary.connections_evicted, " open ",
      r.summary.connections_open_at_end, "\n");
  for (const ConnectionRecord& c : r.connections) {
    absl::StrAppend(&out, c.id, " pkt ", c.first_packet, "-", c.last_packet,
                    " ", TcpStateName(c.client.state), "/",
                    TcpStateName(c.server.state), " ", c.conn_state, " ",
                    c.history, " end ", static_cast<int>(c.end_reason), "\n");
    for (const Anomaly& a : c.anomalies) {
      absl::StrAppend(&out, "  ", a.kind, " ", a.endpoint, " ", a.detail,
                      "\n");
    }
  }
  for (const Anomaly& a : r.anomalies) {
    absl::StrAppend(&out, "host ", a.kind, " ", a.endpoint, " ", a.detail,
                    "\n");
  }
  for (const HostRecord& h : r.hosts) {
    absl::StrAppend(&out, "host ", h.addr.ToString(), " ",
                    h.anomalies.size(), h.isn ? h.isn->isn_class : "", "\n");
  }
  return out;
}

}  // namespace testing_script
}  // namespace tcpstate
