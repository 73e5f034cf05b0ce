#include "analyzer/parallel_analyzer.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analyzer/analyzer.h"
#include "analyzer/flow_key.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

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
Script Traffic(bool v6) {
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

std::string Describe(const AnalysisResult& r) {
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

class ParallelAnalyzerTest : public testing::TestWithParam<bool> {};

// The sharded engine gives exactly the single-threaded result: the same
// ids (creation order), records, sentences naming other connections, and
// host-level findings, for 2 to 4 shards.
TEST_P(ParallelAnalyzerTest, SameResultAsOneThread) {
  const Script script = Traffic(GetParam());
  AnalyzerOptions options;
  Analyzer single(options, nullptr);
  const std::string want = Describe(script.Run(single));
  ASSERT_NE(want.find("port_reuse"), std::string::npos);
  ASSERT_NE(want.find("syn_flood"), std::string::npos);
  ASSERT_NE(want.find("end 3"), std::string::npos) << "a sweep's record";
  for (size_t shards = 2; shards <= 4; ++shards) {
    SCOPED_TRACE(shards);
    ParallelAnalyzer parallel(options, shards, nullptr);
    EXPECT_EQ(Describe(script.Run(parallel)), want);
  }
}

// Records reach the sink in the single-threaded order.
TEST_P(ParallelAnalyzerTest, SinkSeesTheSameOrder) {
  struct Ids : ConnectionSink {
    void OnConnectionFinished(const ConnectionRecord& r) override {
      ids.push_back(r.id);
    }
    std::vector<uint64_t> ids;
  };
  const Script script = Traffic(GetParam());
  AnalyzerOptions options;
  options.retain_connections = false;
  Ids one, three;
  Analyzer single(options, &one);
  script.Run(single);
  ParallelAnalyzer parallel(options, 3, &three);
  script.Run(parallel);
  EXPECT_EQ(three.ids, one.ids);
  EXPECT_FALSE(one.ids.empty());
}

INSTANTIATE_TEST_SUITE_P(Families, ParallelAnalyzerTest,
                         testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? "Ipv6" : "Ipv4";
                         });

// A capture with no packet, and an engine dropped before Finish(), end
// without waiting forever.
TEST(ParallelAnalyzerLifecycleTest, EmptyAndAbandoned) {
  AnalyzerOptions options;
  {
    ParallelAnalyzer p(options, 4, nullptr);
    const AnalysisResult r = p.Finish();
    EXPECT_EQ(r.summary.packets, 0u);
    EXPECT_TRUE(r.connections.empty());
  }
  {
    ParallelAnalyzer p(options, 3, nullptr);
    Script s(false);
    s.Complete(1, 2, 40000, 1);
    // Frames go in; no Finish(): the destructor stops the threads.
    struct NoFinish {
      ParallelAnalyzer* p;
      void OnFrame(const Frame& f) { p->OnFrame(f); }
      AnalysisResult Finish() { return {}; }
    } feed{&p};
    s.Run(feed);
  }
}

// Both directions of a flow go to one shard, and the hash is fixed (the
// same shard in every run and on every machine: --shard K/N relies on it).
TEST(ShardOfTest, SymmetricAndFixed) {
  TcpSegment a;
  a.src = IpAddress::V4(0xC6120001);  // 198.18.0.1
  a.dst = IpAddress::V4(0xC6120002);
  a.src_port = 40000;
  a.dst_port = 80;
  TcpSegment b = a;
  std::swap(b.src, b.dst);
  std::swap(b.src_port, b.dst_port);
  bool low = false;
  const FlowKey ka = FlowKey::Of(a, &low);
  const FlowKey kb = FlowKey::Of(b, &low);
  std::vector<size_t> seen(4, 0);
  for (size_t n = 1; n <= 16; ++n) {
    EXPECT_EQ(ShardOf(ka, n), ShardOf(kb, n));
    EXPECT_LT(ShardOf(ka, n), n);
  }
  EXPECT_EQ(ShardOf(ka, 1000003), 506724u) << "the shard hash changed";
  // Flows spread over the shards.
  for (uint16_t port = 1; port <= 4000; ++port) {
    a.src_port = port;
    ++seen[ShardOf(FlowKey::Of(a, &low), 4)];
  }
  for (size_t count : seen) {
    EXPECT_GT(count, 900u);
  }
}

}  // namespace
}  // namespace tcpstate
