// Live mode of the analyzer: the clock moves with AdvanceTime() (no
// packets), stuck-state anomalies fire once when crossed, TIME_WAIT expires
// on time, and state changes are announced.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analyzer.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin;
constexpr uint32_t kC = 1000, kS = 5000;  // ISNs

class RecordingSink : public ConnectionSink {
 public:
  void OnConnectionFinished(const ConnectionRecord& record) override {
    finished.push_back(record);
  }
  void OnStateChange(const StateChangeEvent& event) override {
    states.push_back(event);
  }
  void OnAnomaly(const AnomalyEvent& event) override {
    anomalies.push_back(event);
  }
  int Count(const std::string& kind) const {
    int n = 0;
    for (const AnomalyEvent& e : anomalies) {
      n += e.anomaly.kind == kind ? 1 : 0;
    }
    return n;
  }

  std::vector<ConnectionRecord> finished;
  std::vector<StateChangeEvent> states;
  std::vector<AnomalyEvent> anomalies;
};

AnalyzerOptions LiveOptions() {
  AnalyzerOptions o;
  o.live = true;
  o.sweep_interval = absl::Milliseconds(250);
  o.anomalies.overrides[static_cast<size_t>(AnomalyKind::kCloseWaitStuck)] =
      absl::Seconds(3);
  return o;
}

// Scripts one connection 10.0.0.1:40000 -> 10.0.0.2:80 through an analyzer.
class Script {
 public:
  explicit Script(Analyzer* analyzer) : analyzer_(analyzer) {}

  void C(uint16_t flags, uint32_t seq, uint32_t ack) {
    Feed(PacketBuilder().Tcp(40000, 80).Seq(kC + seq).Ack(kS + ack)
             .Flags(flags).Bytes());
  }
  void S(uint16_t flags, uint32_t seq, uint32_t ack) {
    Feed(PacketBuilder().Ipv4("10.0.0.2", "10.0.0.1").Tcp(80, 40000)
             .Seq(kS + seq).Ack(kC + ack).Flags(flags).Bytes());
  }
  // The server sends `n` payload bytes at its sequence offset `seq`.
  void SData(uint32_t seq, uint32_t ack, size_t n) {
    Feed(PacketBuilder().Ipv4("10.0.0.2", "10.0.0.1").Tcp(80, 40000)
             .Seq(kS + seq).Ack(kC + ack).Flags(kAck).PayloadSize(n).Bytes());
  }
  void Handshake() {
    C(kSyn, 0, 0);
    S(kSyn | kAck, 0, 1);
    C(kAck, 1, 1);
  }
  // The server ACKs the client's FIN and never closes: CLOSE_WAIT.
  void LeakCloseWait() {
    Handshake();
    C(kFin | kAck, 1, 1);
    S(kAck, 1, 2);
  }
  absl::Time t() const { return t_; }

 private:
  void Feed(const std::vector<uint8_t>& bytes) {
    t_ += absl::Milliseconds(10);
    Frame f;
    f.timestamp = t_;
    f.number = ++packet_;
    f.wire_length = static_cast<uint32_t>(bytes.size());
    f.bytes = absl::MakeConstSpan(bytes);
    analyzer_->OnFrame(f);
  }

  Analyzer* analyzer_;
  absl::Time t_ = absl::FromUnixSeconds(1763730000);
  uint64_t packet_ = 0;
};

int CountKind(const ConnectionRecord& r, const std::string& kind) {
  int n = 0;
  for (const Anomaly& a : r.anomalies) {
    n += a.kind == kind ? 1 : 0;
  }
  return n;
}

TEST(LiveTimeTest, CloseWaitStuckFiresOnceAtThresholdWithoutPackets) {
  RecordingSink sink;
  Analyzer analyzer(LiveOptions(), &sink);
  Script s(&analyzer);
  s.LeakCloseWait();
  // The rule counts from the FIN's arrival, the packet before the ACK.
  const absl::Time fin = s.t() - absl::Milliseconds(10);
  analyzer.AdvanceTime(fin + absl::Milliseconds(2750));
  EXPECT_EQ(sink.Count("close_wait_stuck"), 0) << "before the threshold";
  analyzer.AdvanceTime(fin + absl::Seconds(3));
  ASSERT_EQ(sink.Count("close_wait_stuck"), 1) << "at the threshold";
  const AnomalyEvent& e = sink.anomalies.back();
  EXPECT_EQ(e.t, fin + absl::Seconds(3));
  EXPECT_EQ(e.anomaly.duration, absl::Seconds(3));
  EXPECT_EQ(e.anomaly.endpoint, "server");
  EXPECT_EQ(e.connection.server_state, TcpState::kCloseWait);
  EXPECT_EQ(e.connection.client_port, 40000);
  EXPECT_NE(e.anomaly.detail.find("for 3.0 s so far"), std::string::npos)
      << "the capture has not ended: " << e.anomaly.detail;
  for (int i = 4; i < 30; ++i) {
    analyzer.AdvanceTime(fin + absl::Seconds(i));
  }
  EXPECT_EQ(sink.Count("close_wait_stuck"), 1) << "fires once";
  AnalysisResult result = analyzer.Finish();
  ASSERT_EQ(result.connections.size(), 1u);
  EXPECT_EQ(CountKind(result.connections[0], "close_wait_stuck"), 1);
  EXPECT_EQ(sink.Count("close_wait_stuck"), 1) << "not again on the record";
  // The record was written at the clock (29 s), not at the last packet.
  EXPECT_EQ(result.connections[0].end_reason, EndReason::kCaptureEnd);
  const Anomaly* a = &result.connections[0].anomalies[0];
  for (const Anomaly& x : result.connections[0].anomalies) {
    a = x.kind == "close_wait_stuck" ? &x : a;
  }
  EXPECT_EQ(a->duration, absl::Seconds(29)) << "stuck until the clock";
  EXPECT_NE(a->detail.find("until the capture ended"), std::string::npos)
      << a->detail;
}

TEST(LiveTimeTest, FiredStuckAnomalyStaysOnTheRecordAfterRecovery) {
  for (bool live : {true, false}) {
    RecordingSink sink;
    AnalyzerOptions o = LiveOptions();
    o.live = live;
    Analyzer analyzer(o, &sink);
    Script s(&analyzer);
    s.LeakCloseWait();
    if (live) {
      analyzer.AdvanceTime(s.t() + absl::Seconds(4));
    }
    // The application finally closes: LAST_ACK, then CLOSED.
    s.S(kFin | kAck, 1, 2);
    s.C(kAck, 2, 2);
    AnalysisResult result = analyzer.Finish();
    ASSERT_EQ(result.connections.size(), 1u);
    EXPECT_EQ(result.connections[0].server.state, TcpState::kClosed);
    // Offline the rule judges the state at the end only.
    EXPECT_EQ(CountKind(result.connections[0], "close_wait_stuck"),
              live ? 1 : 0)
        << "live=" << live;
    EXPECT_EQ(sink.Count("close_wait_stuck"), live ? 1 : 0);
  }
}

TEST(LiveTimeTest, TimeWaitExpiresOnTheClock) {
  RecordingSink sink;
  Analyzer analyzer(LiveOptions(), &sink);
  Script s(&analyzer);
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.S(kFin | kAck, 1, 2);
  s.C(kAck, 2, 2);
  const absl::Time last = s.t();
  analyzer.AdvanceTime(last + absl::Seconds(59));
  EXPECT_TRUE(sink.finished.empty()) << "TIME_WAIT lasts 60 s";
  ASSERT_FALSE(sink.states.empty());
  EXPECT_EQ(sink.states.back().to, TcpState::kClosed);  // the server
  analyzer.AdvanceTime(last + absl::Seconds(60) + absl::Milliseconds(250));
  ASSERT_EQ(sink.finished.size(), 1u) << "written out when it expired";
  EXPECT_EQ(sink.finished[0].client.state, TcpState::kClosed);
  EXPECT_EQ(sink.finished[0].end_reason, EndReason::kTimeWaitExpired);
  const StateChangeEvent& e = sink.states.back();
  EXPECT_TRUE(e.client);
  EXPECT_EQ(e.from, TcpState::kTimeWait);
  EXPECT_EQ(e.to, TcpState::kClosed);
  EXPECT_EQ(e.packet, 0u) << "a timer, not a packet";
}

TEST(LiveTimeTest, StateChangesFollowThePackets) {
  RecordingSink sink;
  Analyzer analyzer(LiveOptions(), &sink);
  Script s(&analyzer);
  s.Handshake();
  std::vector<TcpState> client, server;
  for (const StateChangeEvent& e : sink.states) {
    (e.client ? client : server).push_back(e.to);
  }
  EXPECT_EQ(client, (std::vector<TcpState>{TcpState::kSynSent,
                                           TcpState::kEstablished}));
  ASSERT_FALSE(server.empty());
  EXPECT_EQ(server.back(), TcpState::kEstablished);
  EXPECT_EQ(sink.states.front().packet, 1u);
}

TEST(LiveTimeTest, OfflineAnnouncesNothing) {
  RecordingSink sink;
  AnalyzerOptions o = LiveOptions();
  o.live = false;
  Analyzer analyzer(o, &sink);
  Script s(&analyzer);
  s.LeakCloseWait();
  analyzer.Finish();
  EXPECT_TRUE(sink.states.empty());
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(LiveTimeTest, SnapshotListsLingeringEndpointsWithTheirAge) {
  RecordingSink sink;
  Analyzer analyzer(LiveOptions(), &sink);
  Script s(&analyzer);
  s.LeakCloseWait();
  const absl::Time acked = s.t();
  analyzer.AdvanceTime(acked + absl::Seconds(5));
  const LiveSnapshot snap = analyzer.Snapshot(10);
  EXPECT_EQ(snap.open, 1u);
  ASSERT_EQ(snap.pairs.size(), 1u);
  EXPECT_EQ(snap.pairs[0].client, TcpState::kFinWait2);
  EXPECT_EQ(snap.pairs[0].server, TcpState::kCloseWait);
  ASSERT_EQ(snap.lingering.size(), 2u);
  bool server_stuck = false;
  for (const LiveSnapshot::Lingering& l : snap.lingering) {
    EXPECT_GE(l.age, absl::Seconds(5));
    EXPECT_LT(l.age, absl::Seconds(6));
    server_stuck = server_stuck || (!l.client && l.stuck);
  }
  EXPECT_TRUE(server_stuck);
  EXPECT_EQ(analyzer.Snapshot(1).lingering.size(), 1u);
  EXPECT_EQ(analyzer.Snapshot(1).lingering_total, 2u);
}

TEST(LiveTimeTest, SnapshotListsEstablishedConnectionsWithBytesAndRates) {
  RecordingSink sink;
  Analyzer analyzer(LiveOptions(), &sink);
  Script s(&analyzer);
  s.Handshake();                 // t0 + 10..30 ms
  s.SData(1, 1, 1000);           // 40 ms
  const absl::Time t1 = s.t() + absl::Milliseconds(60);  // 100 ms in
  analyzer.AdvanceTime(t1);
  LiveSnapshot snap = analyzer.Snapshot(10);
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active_total, 1u);
  EXPECT_TRUE(snap.lingering.empty());
  const LiveSnapshot::Active& a = snap.active[0];
  EXPECT_EQ(a.bytes_c2s, 0u);
  EXPECT_EQ(a.bytes_s2c, 1000u);
  EXPECT_EQ(a.age, absl::Milliseconds(90));  // since the SYN
  // The first snapshot: since the connection's first packet.
  EXPECT_NEAR(a.rate_s2c, 1000 / 0.09, 1e-6);
  // The next one: only what came since the previous snapshot.
  s.SData(1001, 1, 500);
  s.SData(1501, 1, 500);
  analyzer.AdvanceTime(t1 + absl::Seconds(2));
  snap = analyzer.Snapshot(10);
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active[0].bytes_s2c, 2000u);
  EXPECT_NEAR(snap.active[0].rate_s2c, 1000 / 2.0, 1e-6);
  EXPECT_EQ(snap.active[0].rate_c2s, 0);
  // Nothing since: rate zero, bytes kept.
  analyzer.AdvanceTime(t1 + absl::Seconds(3));
  snap = analyzer.Snapshot(10, LiveSort::kBytes);
  EXPECT_EQ(snap.sort, LiveSort::kBytes);
  EXPECT_EQ(snap.active[0].rate_s2c, 0);
  EXPECT_EQ(snap.active[0].bytes_s2c, 2000u);
}

TEST(LiveSnapshotOrderTest, StuckFirstThenOldestAndActiveBySortKey) {
  LiveSnapshot snap;
  auto ref = [](uint64_t id) {
    ConnectionRef r;
    r.id = id;
    return r;
  };
  snap.lingering = {{ref(1), true, absl::Seconds(50), false},
                    {ref(2), false, absl::Seconds(5), true},
                    {ref(3), true, absl::Seconds(70), false}};
  LiveSnapshot::Active a;
  a.connection = ref(4);
  a.rate_s2c = 10;
  a.bytes_s2c = 900;
  a.age = absl::Seconds(1);
  LiveSnapshot::Active b;
  b.connection = ref(5);
  b.rate_c2s = 100;
  b.bytes_c2s = 50;
  b.age = absl::Seconds(9);
  snap.active = {a, b};
  for (const auto& [sort, first] :
       std::vector<std::pair<LiveSort, uint64_t>>{{LiveSort::kRate, 5},
                                                  {LiveSort::kBytes, 4},
                                                  {LiveSort::kAge, 5}}) {
    LiveSnapshot s = snap;
    s.sort = sort;
    OrderSnapshot({}, 2, s);
    ASSERT_EQ(s.lingering.size(), 2u);
    EXPECT_EQ(s.lingering[0].connection.id, 2u);  // stuck, though youngest
    EXPECT_EQ(s.lingering[1].connection.id, 3u);  // then the oldest
    ASSERT_EQ(s.active.size(), 2u);
    EXPECT_EQ(s.active[0].connection.id, first);
  }
}

}  // namespace
}  // namespace tcpstate
