// Lifecycle and host anomalies, judged on scripted connections.
#include <memory>
#include <string>
#include <vector>

#include "analyzer/flow_table.h"
#include "analyzer/syn_flood.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kRst = TcpFlags::kRst;
constexpr uint32_t kC = 1000, kS = 5000;  // ISNs

class Driver {
 public:
  explicit Driver(bool v6 = false) {
    if (v6) {
      uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
      a[15] = 1;
      peers_.client = IpAddress::FromBytes(a);
      a[15] = 2;
      peers_.server = IpAddress::FromBytes(a);
    } else {
      peers_.client = IpAddress::V4(0xC6120001);
      peers_.server = IpAddress::V4(0xC6120002);
    }
    table_ = std::make_unique<FlowTable>(FlowTableOptions{});
  }
  // Relative seq/ack; `gap` before the segment.
  void C(uint16_t f, uint32_t s, uint32_t a, uint32_t len = 0,
         absl::Duration gap = absl::Milliseconds(10)) {
    Send(true, f, kC + s, kS + a, len, gap);
  }
  void Srv(uint16_t f, uint32_t s, uint32_t a, uint32_t len = 0,
           absl::Duration gap = absl::Milliseconds(10)) {
    Send(false, f, kS + s, kC + a, len, gap);
  }
  void Send(bool from_client, uint16_t f, uint32_t s, uint32_t a, uint32_t len,
            absl::Duration gap) {
    t_ += gap;
    table_->OnSegment(
        MakeSegment(peers_, from_client, f, s, a, len, ++ip_id_),
        SegmentContext{++packet_, t_});
  }
  // Later segments come from this client port: another connection.
  void UseClientPort(uint16_t port) { peers_.client_port = port; }
  // The periodic sweep the Analyzer runs (idle timeouts), at the last packet.
  void Sweep() { table_->Expire(t_); }
  void Handshake() {
    C(kSyn, 0, 0);
    Srv(kSyn | kAck, 0, 1);
    C(kAck, 1, 1);
  }
  // Ends the capture `tail` after the last packet.
  std::vector<ConnectionRecord> End(absl::Duration tail = absl::ZeroDuration()) {
    table_->FlushAll(t_ + tail);
    return table_->TakeFinished();
  }

 private:
  TestPeers peers_;
  std::unique_ptr<FlowTable> table_;
  absl::Time t_ = absl::FromUnixSeconds(1763730000);
  uint64_t packet_ = 0;
  uint16_t ip_id_ = 1;
};

const Anomaly* FindKind(const ConnectionRecord& r, const std::string& kind) {
  for (const Anomaly& a : r.anomalies) {
    if (a.kind == kind) {
      return &a;
    }
  }
  return nullptr;
}

TEST(LifecycleAnomaliesTest, IdleCloseWaitIsStuckAfterThreshold) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.Srv(kAck, 1, 2);
  const ConnectionRecord r = d.End(absl::Seconds(61)).at(0);
  const Anomaly* a = FindKind(r, "close_wait_stuck");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->endpoint, "server");
  EXPECT_EQ(a->severity, Severity::kWarning);
  EXPECT_EQ(a->first_packet, 5u);  // the server's ACK of the client's FIN
  EXPECT_NE(a->detail.find("sent no data"), std::string::npos) << a->detail;
  EXPECT_NE(a->detail.find("until the capture ended"), std::string::npos)
      << a->detail;
}

TEST(LifecycleAnomaliesTest, StuckDetailSaysHowTheRecordEnded) {
  // Dropped as idle by the sweep, not at the capture's end: the detail
  // must not claim the capture ended there.
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.Srv(kAck, 1, 2);
  // Another connection's packet moves the clock past the idle timeout, and
  // the sweep drops the first one.
  d.UseClientPort(40001);
  d.C(kSyn, 0, 0, 0, absl::Hours(3));
  d.Sweep();
  const std::vector<ConnectionRecord> records = d.End();
  ASSERT_EQ(records.size(), 2u);
  const ConnectionRecord& r = records[0];
  EXPECT_EQ(r.first_packet, 1u);
  EXPECT_EQ(r.end_reason, EndReason::kIdleTimeout);
  const Anomaly* a = FindKind(r, "close_wait_stuck");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->detail.find("until the connection was dropped as idle"),
            std::string::npos)
      << a->detail;
  EXPECT_EQ(a->detail.find("capture ended"), std::string::npos) << a->detail;
}

TEST(LifecycleAnomaliesTest, CloseWaitStillSendingIsToldApart) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.Srv(kAck, 1, 2);
  d.Srv(kAck, 1, 2, 100, absl::Seconds(30));
  d.C(kAck, 2, 101);
  const ConnectionRecord r = d.End(absl::Seconds(31)).at(0);
  const Anomaly* a = FindKind(r, "close_wait_stuck");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->detail.find("kept sending data"), std::string::npos)
      << a->detail;
}

TEST(LifecycleAnomaliesTest, CloseWaitBelowThresholdIsNotStuck) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.Srv(kAck, 1, 2);
  const ConnectionRecord r = d.End(absl::Seconds(59)).at(0);
  EXPECT_EQ(FindKind(r, "close_wait_stuck"), nullptr);
  EXPECT_EQ(FindKind(r, "fin_wait_2_stuck"), nullptr);
}

TEST(LifecycleAnomaliesTest, SilentPeerLeavesFinWait2Stuck) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.Srv(kAck, 1, 2);
  const ConnectionRecord r = d.End(absl::Seconds(61)).at(0);
  const Anomaly* a = FindKind(r, "fin_wait_2_stuck");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->endpoint, "client");
}

TEST(LifecycleAnomaliesTest, FinAckLostAfterTapIsFinWait1Stuck) {
  Driver d;
  d.Handshake();
  d.Srv(kFin | kAck, 1, 1);
  for (int i = 0; i < 3; ++i) {
    d.C(kAck, 1, 2);
    d.Srv(kFin | kAck, 1, 1, 0, absl::Milliseconds(400 << i));
  }
  const ConnectionRecord r = d.End().at(0);
  const Anomaly* a = FindKind(r, "fin_wait_1_stuck");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->endpoint, "server");
  EXPECT_EQ(a->count, 4u);  // the FIN and 3 retransmissions
  EXPECT_NE(a->detail.find("lost after the tap"), std::string::npos);
}

TEST(LifecycleAnomaliesTest, LostFinalAckIsLastAckStuck) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.Srv(kAck, 1, 2);
  d.Srv(kFin | kAck, 1, 2);
  for (int i = 0; i < 3; ++i) {
    d.C(kAck, 2, 2);
    d.Srv(kFin | kAck, 1, 2, 0, absl::Milliseconds(400 << i));
  }
  const ConnectionRecord r = d.End().at(0);
  ASSERT_NE(FindKind(r, "last_ack_stuck"), nullptr);
  EXPECT_EQ(FindKind(r, "fin_wait_1_stuck"), nullptr);
}

TEST(LifecycleAnomaliesTest, UnansweredSynCountsRetries) {
  Driver d;
  d.C(kSyn, 0, 0);
  d.C(kSyn, 0, 0, 0, absl::Seconds(1));
  d.C(kSyn, 0, 0, 0, absl::Seconds(2));
  const std::vector<ConnectionRecord> all = d.End();
  ASSERT_EQ(all.size(), 1u);
  const ConnectionRecord& r = all[0];
  const Anomaly* a = FindKind(r, "syn_unanswered");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 3u);
  EXPECT_EQ(a->packets, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(LifecycleAnomaliesTest, HalfOpenHandshakeCountsSynAckRetransmissions) {
  Driver d;
  d.C(kSyn, 0, 0);
  d.Srv(kSyn | kAck, 0, 1);
  d.Srv(kSyn | kAck, 0, 1, 0, absl::Seconds(1));
  const ConnectionRecord r = d.End().at(0);
  const Anomaly* a = FindKind(r, "half_open_handshake");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 2u);
  EXPECT_EQ(FindKind(r, "syn_unanswered"), nullptr);
}

TEST(LifecycleAnomaliesTest, FreshHandshakeCutByCaptureEndIsNotJudged) {
  Driver d;
  d.C(kSyn, 0, 0);
  d.Srv(kSyn | kAck, 0, 1);
  const ConnectionRecord r = d.End().at(0);
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(LifecycleAnomaliesTest, RefusedAndTeardownAreDifferent) {
  Driver refused;
  refused.C(kSyn, 0, 0);
  refused.Send(false, kRst | kAck, 0, kC + 1, 0, absl::Milliseconds(1));
  ConnectionRecord r = refused.End().at(0);
  ASSERT_NE(FindKind(r, "refused"), nullptr);
  EXPECT_EQ(FindKind(r, "rst_teardown"), nullptr);

  Driver abort;
  abort.Handshake();
  abort.C(kAck, 1, 1, 10);
  abort.C(kRst | kAck, 11, 1);
  r = abort.End().at(0);
  const Anomaly* a = FindKind(r, "rst_teardown");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->endpoint, "client");
  EXPECT_NE(a->detail.find("unacknowledged"), std::string::npos) << a->detail;
  EXPECT_EQ(FindKind(r, "refused"), nullptr);
}

TEST(LifecycleAnomaliesTest, OutOfWindowRstIsIgnoredNotTeardown) {
  Driver d;
  d.Handshake();
  d.Srv(kRst, 700000, 0);
  d.Srv(kAck, 1, 1, 20);
  const ConnectionRecord r = d.End().at(0);
  ASSERT_NE(FindKind(r, "rst_ignored"), nullptr);
  EXPECT_EQ(FindKind(r, "rst_teardown"), nullptr);
  EXPECT_EQ(r.server.state, TcpState::kEstablished);
}

TEST(LifecycleAnomaliesTest, DataAfterOwnFin) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);
  d.C(kAck, 2, 1, 50);
  const ConnectionRecord r = d.End().at(0);
  const Anomaly* a = FindKind(r, "data_after_close");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->endpoint, "client");
}

TEST(LifecycleAnomaliesTest, PortReuseOfTimeWaitIsFlaggedOnTheNewConnection) {
  Driver d;
  d.Handshake();
  d.Srv(kFin | kAck, 1, 1);
  d.C(kFin | kAck, 1, 2);
  d.Srv(kAck, 2, 2);  // server TIME_WAIT
  d.Send(true, kSyn, 77777, 0, 0, absl::Seconds(1));
  const std::vector<ConnectionRecord> r = d.End();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(FindKind(r[0], "port_reuse"), nullptr);
  const Anomaly* a = FindKind(r[1], "port_reuse");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->detail.find("TIME_WAIT"), std::string::npos);
}

TEST(LifecycleAnomaliesTest, SimultaneousOpenCloseAndMidStreamAreInfo) {
  Driver d;
  d.C(kSyn, 0, 0);
  d.Srv(kSyn, 0, 0);
  d.C(kSyn | kAck, 0, 1);
  d.Srv(kSyn | kAck, 0, 1);
  d.C(kFin | kAck, 1, 1);
  d.Srv(kFin | kAck, 1, 1);
  d.C(kAck, 2, 2);
  d.Srv(kAck, 2, 2);
  const ConnectionRecord r = d.End().at(0);
  ASSERT_NE(FindKind(r, "simultaneous_open"), nullptr);
  ASSERT_NE(FindKind(r, "simultaneous_close"), nullptr);
  EXPECT_EQ(FindKind(r, "simultaneous_open")->severity, Severity::kInfo);

  Driver m(/*v6=*/true);
  m.Srv(kAck, 100, 100, 10);
  m.C(kAck, 100, 110);
  const ConnectionRecord mr = m.End().at(0);
  ASSERT_NE(FindKind(mr, "mid_stream"), nullptr);
}

ConnectionRecord HalfOpen(uint32_t src, absl::Time t, uint64_t packet) {
  ConnectionRecord r;
  r.client.addr = IpAddress::V4(src);
  r.server.addr = IpAddress::V4(0xC6120002);
  r.first_seen = t;
  r.first_packet = packet;
  Anomaly a;
  a.kind = "half_open_handshake";
  r.anomalies.push_back(a);
  return r;
}

TEST(SynFloodTest, ManySourcesWithinTheWindowFlagTheHost) {
  AnomalyOptions o;
  o.syn_flood_min = 50;
  o.syn_flood_sources = 20;
  SynFloodDetector det(o);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (uint32_t i = 0; i < 60; ++i) {
    det.Add(HalfOpen(0xC6128000 + i, t0 + absl::Milliseconds(50 * i), i + 1));
  }
  std::vector<HostRecord> hosts;
  std::vector<Anomaly> anomalies;
  det.Finish(hosts, anomalies);
  ASSERT_EQ(anomalies.size(), 1u);
  EXPECT_EQ(anomalies[0].kind, "syn_flood");
  EXPECT_EQ(anomalies[0].endpoint, "198.18.0.2");
  EXPECT_EQ(anomalies[0].count, 60u);
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].anomalies.size(), 1u);
}

TEST(SynFloodTest, FewSourcesOrSpreadOutIsNoFlood) {
  AnomalyOptions o;
  o.syn_flood_min = 50;
  o.syn_flood_sources = 20;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  SynFloodDetector few(o);
  for (uint32_t i = 0; i < 60; ++i) {
    few.Add(HalfOpen(0xC6128000 + i % 5, t0 + absl::Milliseconds(10 * i), i));
  }
  SynFloodDetector slow(o);
  for (uint32_t i = 0; i < 60; ++i) {
    slow.Add(HalfOpen(0xC6128000 + i, t0 + absl::Seconds(60 * i), i));
  }
  for (SynFloodDetector* det : {&few, &slow}) {
    std::vector<HostRecord> hosts;
    std::vector<Anomaly> anomalies;
    det->Finish(hosts, anomalies);
    EXPECT_TRUE(anomalies.empty());
    EXPECT_TRUE(hosts.empty());
  }
}


// A spoofed SYN answered by a SYN-ACK, still open when the capture ended:
// no verdict of its own yet.
ConnectionRecord Pending(uint32_t src, absl::Time t, uint64_t packet,
                         bool v6 = false) {
  ConnectionRecord r;
  if (v6) {
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0};
    a[12] = static_cast<uint8_t>(src >> 24);
    a[13] = static_cast<uint8_t>(src >> 16);
    a[14] = static_cast<uint8_t>(src >> 8);
    a[15] = static_cast<uint8_t>(src);
    r.client.addr = IpAddress::FromBytes(a);
    uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                     0,    0,    0,    0,    0, 0, 0, 2};
    r.server.addr = IpAddress::FromBytes(b);
  } else {
    r.client.addr = IpAddress::V4(src);
    r.server.addr = IpAddress::V4(0xC6120002);
  }
  r.client.syns = 1;
  r.server.syns = 1;
  r.client.state = TcpState::kSynSent;
  r.server.state = TcpState::kSynReceived;
  r.first_seen = t;
  r.first_packet = packet;
  r.end_reason = EndReason::kCaptureEnd;
  return r;
}

TEST(SynFloodTest, BurstRightBeforeTheCaptureEndsIsAFlood) {
  // 1,000 SYNs from 1,000 sources within 1 s, the capture ending 2 s later
  // (default thresholds): no handshake got a verdict, the rate is a flood.
  for (const bool v6 : {false, true}) {
    SynFloodDetector det{AnomalyOptions()};
    const absl::Time t0 = absl::FromUnixSeconds(1000);
    det.SetCaptureEnd(t0 + absl::Seconds(3));
    for (uint32_t i = 0; i < 1000; ++i) {
      det.Add(Pending(0x0A000000 + i, t0 + absl::Milliseconds(i), i + 1, v6));
    }
    std::vector<HostRecord> hosts;
    std::vector<Anomaly> anomalies;
    det.Finish(hosts, anomalies);
    ASSERT_EQ(anomalies.size(), 1u) << v6;
    EXPECT_EQ(anomalies[0].kind, "syn_flood");
    EXPECT_EQ(anomalies[0].count, 1000u);
    EXPECT_EQ(anomalies[0].endpoint, v6 ? "2001:db8::2" : "198.18.0.2");
  }
}

TEST(SynFloodTest, FreshOrCompletedHandshakesAndScannersAreNoFlood) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  // Handshakes begun in the last second of the capture are in flight.
  SynFloodDetector fresh{AnomalyOptions()};
  fresh.SetCaptureEnd(t0 + absl::Milliseconds(1500));
  // Completed handshakes (an RTT was measured) are not half-open.
  SynFloodDetector done{AnomalyOptions()};
  done.SetCaptureEnd(t0 + absl::Seconds(3));
  // One scanner, many ports: one source.
  SynFloodDetector scanner{AnomalyOptions()};
  scanner.SetCaptureEnd(t0 + absl::Seconds(3));
  for (uint32_t i = 0; i < 1000; ++i) {
    const absl::Time t = t0 + absl::Milliseconds(500 + i / 2);
    fresh.Add(Pending(0x0A000000 + i, t, i + 1));
    ConnectionRecord completed = Pending(0x0A000000 + i, t, i + 1);
    completed.handshake_rtt = absl::Milliseconds(1);
    completed.server.state = TcpState::kEstablished;
    done.Add(completed);
    ConnectionRecord scan = Pending(0x0A000001, t, i + 1);
    scan.server.port = static_cast<uint16_t>(1000 + i);
    scanner.Add(scan);
  }
  for (SynFloodDetector* det : {&fresh, &done, &scanner}) {
    std::vector<HostRecord> hosts;
    std::vector<Anomaly> anomalies;
    det->Finish(hosts, anomalies);
    EXPECT_TRUE(anomalies.empty());
  }
}

}  // namespace
}  // namespace tcpstate
