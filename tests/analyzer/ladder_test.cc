// Ladder recording: what a connection keeps for its diagram, folds, losses
// after the tap, and which connections keep their ladder.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/analyzer.h"
#include "analyzer/connection.h"
#include "analyzer/flow_table.h"
#include "analyzer/ladder_recorder.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kPsh = TcpFlags::kPsh;
constexpr uint32_t kC = 3000000000u, kS = 7000;  // ISNs (client wraps)

// Scripted connection through a flow table with ladders on.
class Driver {
 public:
  explicit Driver(LadderLimits limits = {}) {
    peers_.client = IpAddress::V4(0xC6120001);
    peers_.server = IpAddress::V4(0xC6120002);
    FlowTableOptions o;
    o.ladders = LadderMode::kSelected;
    o.ladder_limits = limits;
    table_ = std::make_unique<FlowTable>(o);
  }
  // Relative seq/ack.
  void C(uint16_t f, uint32_t s, uint32_t a, uint32_t len = 0,
         absl::Duration gap = absl::Milliseconds(10)) {
    Send(true, f, kC + s, kS + a, len, gap);
  }
  void Srv(uint16_t f, uint32_t s, uint32_t a, uint32_t len = 0,
           absl::Duration gap = absl::Milliseconds(10)) {
    Send(false, f, kS + s, kC + a, len, gap);
  }
  void Send(bool from_client, uint16_t f, uint32_t s, uint32_t a, uint32_t len,
            absl::Duration gap, uint16_t ip_id = 0) {
    t_ += gap;
    table_->OnSegment(MakeSegment(peers_, from_client, f, s, a, len,
                                  ip_id != 0 ? ip_id : ++ip_id_),
                      SegmentContext{++packet_, t_});
  }
  void Handshake() {
    C(kSyn, 0, 0);
    Srv(kSyn | kAck, 0, 1);
    C(kAck, 1, 1);
  }
  ConnectionRecord End() {
    table_->FlushAll(t_);
    std::vector<ConnectionRecord> out = table_->TakeFinished();
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? ConnectionRecord() : out.front();
  }
  uint16_t last_ip_id() const { return ip_id_; }

 private:
  TestPeers peers_;
  std::unique_ptr<FlowTable> table_;
  absl::Time t_ = absl::FromUnixSeconds(1763730000);
  uint64_t packet_ = 0;
  uint16_t ip_id_ = 1;
};

struct Expected {
  uint64_t packet;
  bool from_client;
  uint8_t flags;
  uint32_t rel_seq;
  uint32_t rel_ack;
  uint32_t len;
};

TEST(LadderTest, HandshakeAndCloseWithRelativeNumbers) {
  Driver d;
  d.Handshake();
  d.C(kPsh | kAck, 1, 1, 100);
  d.Srv(kAck, 1, 101);
  d.C(kFin | kAck, 101, 1);
  d.Srv(kAck, 1, 102);
  d.Srv(kFin | kAck, 1, 102);
  d.C(kAck, 102, 2);
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  EXPECT_EQ(l.total, 9u);
  EXPECT_TRUE(l.folds.empty());
  const Expected want[] = {
      {1, true, kSyn, 0, 0, 0},          {2, false, kSyn | kAck, 0, 1, 0},
      {3, true, kAck, 1, 1, 0},          {4, true, kPsh | kAck, 1, 1, 100},
      {5, false, kAck, 1, 101, 0},       {6, true, kFin | kAck, 101, 1, 0},
      {7, false, kAck, 1, 102, 0},       {8, false, kFin | kAck, 1, 102, 0},
      {9, true, kAck, 102, 2, 0},
  };
  ASSERT_EQ(l.segments.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    const LadderSegment& s = l.segments[i];
    SCOPED_TRACE(absl::StrCat("segment ", i));
    EXPECT_EQ(s.packet, want[i].packet);
    EXPECT_EQ(s.from_client, want[i].from_client);
    EXPECT_EQ(s.flags, want[i].flags);
    EXPECT_EQ(s.rel_seq, want[i].rel_seq);
    EXPECT_EQ(s.rel_ack, want[i].rel_ack);
    EXPECT_EQ(s.len, want[i].len);
    EXPECT_EQ(s.window, 65535);
    EXPECT_EQ(s.anomaly_kinds, 0u);
    EXPECT_FALSE(s.lost_after_tap);
    EXPECT_FALSE(s.duplicate);
  }
  EXPECT_TRUE(r.handshake_rtt.has_value());
  EXPECT_EQ(*r.handshake_rtt, absl::Milliseconds(20));
}

TEST(LadderTest, MidStreamKeepsRawNumbers) {
  Driver d;
  d.C(kPsh | kAck, 10, 20, 5);  // no SYN: ISNs unknown
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  ASSERT_EQ(r.ladder->segments.size(), 1u);
  EXPECT_EQ(r.ladder->segments[0].rel_seq, kC + 10);
  EXPECT_EQ(r.ladder->segments[0].rel_ack, kS + 20);
  EXPECT_FALSE(r.handshake_rtt.has_value());
}

// A long connection: the head, the anomalous segments in between, the
// tail; what is left out is folded, and everything adds up to the total.
TEST(LadderTest, LongConnectionFoldsAndCountsAddUp) {
  Driver d(LadderLimits{4, 2, 3});
  d.Handshake();                   // packets 1-3
  uint32_t seq = 1;
  std::vector<uint64_t> duplicates;
  for (int i = 0; i < 40; ++i) {  // packets 4.. : data and a copy now and then
    d.C(kPsh | kAck, seq, 1, 10);
    if (i == 10 || i == 20 || i == 30) {
      // The same packet captured twice (same IP ID) right after.
      d.Send(true, kPsh | kAck, kC + seq, kS + 1, 10,
             absl::Microseconds(10), d.last_ip_id());
    }
    seq += 10;
  }
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  EXPECT_EQ(l.total, 3u + 40u + 3u);
  ASSERT_EQ(l.segments.size(), 4u + 2u + 3u);
  uint64_t omitted = 0;
  for (const Ladder::Fold& f : l.folds) {
    EXPECT_LT(f.after, l.segments.size() - 1) << "a fold lies between";
    omitted += f.omitted;
  }
  EXPECT_EQ(l.segments.size() + omitted, l.total);
  for (size_t i = 1; i < l.segments.size(); ++i) {
    EXPECT_LT(l.segments[i - 1].packet, l.segments[i].packet);
  }
  // Head: packets 1-4. Middle: the first two duplicates (the third copy
  // found the middle full). Tail: the last three packets.
  EXPECT_EQ(l.segments[3].packet, 4u);
  EXPECT_TRUE(l.segments[4].duplicate);
  EXPECT_TRUE(l.segments[5].duplicate);
  EXPECT_EQ(l.segments[4].packet, 3u + 11u + 1u);
  EXPECT_NE(l.segments[4].anomaly_kinds & Bit(AnomalyKind::kDuplicatePacket),
            0u);
  EXPECT_EQ(l.segments.back().packet, 46u);
  ASSERT_EQ(l.folds.size(), 3u);
  EXPECT_EQ(l.folds[0].after, 3u);
  EXPECT_EQ(l.folds[0].omitted, 10u);  // packets 5..14
  EXPECT_EQ(l.folds[1].after, 4u);
  EXPECT_EQ(l.folds[2].after, 5u);
}

TEST(LadderTest, SynAckLostAfterTapIsMarked) {
  Driver d;
  d.C(kSyn, 0, 0);
  d.Srv(kSyn | kAck, 0, 1);                       // lost after the tap
  d.C(kSyn, 0, 0, 0, absl::Seconds(1));           // the client never got it
  d.Srv(kSyn | kAck, 0, 1, 0, absl::Milliseconds(5));
  d.C(kAck, 1, 1);
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  ASSERT_EQ(l.segments.size(), 5u);
  EXPECT_TRUE(l.segments[1].lost_after_tap);
  for (size_t i : {0, 2, 3, 4}) {
    EXPECT_FALSE(l.segments[i].lost_after_tap) << i;
  }
}

TEST(LadderTest, AckOfFinLostAfterTapIsMarked) {
  Driver d;
  d.Handshake();
  d.C(kFin | kAck, 1, 1);                       // 4
  d.Srv(kAck, 1, 2);                            // 5: lost after the tap
  d.C(kFin | kAck, 1, 1, 0, absl::Milliseconds(300)); // 6: FIN again
  d.Srv(kAck, 1, 2);                            // 7
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  ASSERT_EQ(l.segments.size(), 7u);
  EXPECT_TRUE(l.segments[4].lost_after_tap);
  EXPECT_FALSE(l.segments[3].lost_after_tap);
  EXPECT_FALSE(l.segments[6].lost_after_tap);
}

TEST(LadderTest, FinNeverAckedBeforeItsRetransmissionIsMarked) {
  Driver d;
  d.Handshake();
  d.C(kPsh | kAck, 1, 1, 10);                    // 4
  d.Srv(kAck, 1, 11);                            // 5
  d.C(kFin | kAck, 11, 1);                       // 6: lost after the tap
  d.Srv(kPsh | kAck, 1, 11, 5, absl::Milliseconds(100));  // 7: still acks 11
  d.C(kFin | kAck, 11, 6, 0, absl::Milliseconds(300));    // 8: FIN again
  d.Srv(kAck, 6, 12);                            // 9
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  ASSERT_EQ(l.segments.size(), 9u);
  EXPECT_TRUE(l.segments[5].lost_after_tap);
  EXPECT_FALSE(l.segments[7].lost_after_tap);
}

TEST(LadderTest, DataRetransmissionProvesLossOnlyAtTheReceiversNextByte) {
  Driver d;
  d.Handshake();
  d.C(kPsh | kAck, 1, 1, 10);   // 4: lost after the tap
  d.C(kPsh | kAck, 11, 1, 10);  // 5: arrives (beyond a hole)
  d.Srv(kAck, 1, 1, 0, absl::Milliseconds(50));  // 6: duplicate ACK, still at 1
  d.C(kPsh | kAck, 1, 1, 10, absl::Milliseconds(200));   // 7: retransmits 4
  d.C(kPsh | kAck, 11, 1, 10, absl::Milliseconds(1));    // 8: retransmits 5
  d.Srv(kAck, 1, 21);                              // 9
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  ASSERT_EQ(l.segments.size(), 9u);
  EXPECT_TRUE(l.segments[3].lost_after_tap);
  // Packet 5 sat beyond the hole: the receiver may well have it.
  EXPECT_FALSE(l.segments[4].lost_after_tap);
  EXPECT_FALSE(l.segments[6].lost_after_tap);
  EXPECT_NE(l.segments[6].anomaly_kinds, 0u) << "retransmission flagged";
}

TEST(LadderTest, RetransmissionWithoutAnAnswerProvesNothing) {
  Driver d;
  d.Handshake();
  d.C(kPsh | kAck, 1, 1, 10);                     // 4
  d.C(kPsh | kAck, 1, 1, 10, absl::Milliseconds(200));  // 5: RTO, server silent
  const ConnectionRecord r = d.End();
  ASSERT_TRUE(r.ladder.has_value());
  EXPECT_FALSE(r.ladder->segments[3].lost_after_tap);
}

TEST(LadderTest, OffByDefault) {
  FlowTable table{FlowTableOptions{}};
  TestPeers peers{IpAddress::V4(1), IpAddress::V4(2), 40000, 80};
  table.OnSegment(MakeSegment(peers, true, kSyn, 1, 0, 0, 1),
                  {1, absl::FromUnixSeconds(1)});
  table.FlushAll(absl::FromUnixSeconds(2));
  const std::vector<ConnectionRecord> out = table.TakeFinished();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].ladder.has_value());
}

TEST(LadderTest, MemoryEstimateIncludesLadders) {
  AnalyzerOptions o;
  o.max_connections = size_t{1} << 30;
  o.max_memory_bytes = uint64_t{64} << 20;
  const size_t off = Analyzer::EffectiveMaxConnections(o);
  o.ladders = LadderMode::kOne;
  EXPECT_EQ(Analyzer::EffectiveMaxConnections(o), off);
  o.ladders = LadderMode::kSelected;
  const size_t on = Analyzer::EffectiveMaxConnections(o);
  EXPECT_LT(on, off);
  EXPECT_LE(on * (sizeof(Connection) + LadderRecorder::BytesFor({})),
            o.max_memory_bytes);
  EXPECT_GE(LadderRecorder::BytesFor({}), 72 * sizeof(LadderSegment));
}

// --- Selection through the analyzer ---

class FrameFeeder {
 public:
  explicit FrameFeeder(Analyzer* a) : analyzer_(a) {}
  void Send(const std::string& src, const std::string& dst, uint16_t sport,
            uint16_t dport, uint16_t flags, uint32_t seq, uint32_t ack,
            absl::Duration gap = absl::Milliseconds(1)) {
    t_ += gap;
    const std::vector<uint8_t> bytes = PacketBuilder()
                                           .Ipv4(src, dst)
                                           .Tcp(sport, dport)
                                           .Seq(seq)
                                           .Ack(ack)
                                           .Flags(flags)
                                           .IpId(++ip_id_)
                                           .Bytes();
    Frame f;
    f.timestamp = t_;
    f.number = ++n_;
    f.wire_length = static_cast<uint32_t>(bytes.size());
    f.bytes = absl::MakeConstSpan(bytes);
    analyzer_->OnFrame(f);
  }
  // A complete connection from client port `port`, closed by the client.
  void Complete(uint16_t port) {
    const std::string c = "198.18.0.1", s = "198.18.0.2";
    Send(c, s, port, 80, kSyn, 100, 0);
    Send(s, c, 80, port, kSyn | kAck, 500, 101);
    Send(c, s, port, 80, kAck, 101, 501);
    Send(c, s, port, 80, kFin | kAck, 101, 501);
    Send(s, c, 80, port, kFin | kAck, 501, 102);
    Send(c, s, port, 80, kAck, 102, 502);
  }
  void Syn(uint16_t port) {  // left unanswered: half-open at the end
    Send("198.18.0.1", "198.18.0.2", port, 80, kSyn, 100, 0);
  }
  void Wait(absl::Duration d) { t_ += d; }

 private:
  Analyzer* analyzer_;
  absl::Time t_ = absl::FromUnixSeconds(1763730000);
  uint64_t n_ = 0;
  uint16_t ip_id_ = 0;
};

TEST(LadderSelectionTest, FlaggedPlusLowestIdsOfTheOthers) {
  AnalyzerOptions o;
  o.ladders = LadderMode::kSelected;
  o.ladder_others = 2;
  Analyzer analyzer(o, nullptr);
  FrameFeeder feed(&analyzer);
  // Connection 1 stays open until the end of the capture; 2..5 close long
  // before, so they are written out first.
  feed.Send("198.18.0.1", "198.18.0.2", 39999, 80, kSyn, 1, 0);
  feed.Send("198.18.0.2", "198.18.0.1", 80, 39999, kSyn | kAck, 9, 2);
  feed.Send("198.18.0.1", "198.18.0.2", 39999, 80, kAck, 2, 10);
  for (uint16_t port = 40001; port <= 40004; ++port) {
    feed.Complete(port);
  }
  feed.Wait(absl::Seconds(30));
  feed.Syn(40005);  // 6: SYN never answered, stays open
  const AnalysisResult r = analyzer.Finish();
  ASSERT_EQ(r.connections.size(), 6u);
  std::vector<uint64_t> with_ladder;
  for (const ConnectionRecord& c : r.connections) {
    if (c.ladder) {
      with_ladder.push_back(c.id);
    }
  }
  bool six_flagged = !r.connections[5].anomalies.empty();
  // Unflagged: the two lowest ids (1, 2), although 3..5 finished before 1.
  std::vector<uint64_t> want = {1, 2};
  if (six_flagged) {
    want.push_back(6);
  }
  for (const ConnectionRecord& c : r.connections) {
    if (c.id != 6) {
      EXPECT_TRUE(c.anomalies.empty()) << "connection " << c.id;
    }
  }
  EXPECT_EQ(with_ladder, want);
}

TEST(LadderSelectionTest, OneConnectionOnly) {
  AnalyzerOptions o;
  o.ladders = LadderMode::kOne;
  o.ladder_connection = 3;
  Analyzer analyzer(o, nullptr);
  FrameFeeder feed(&analyzer);
  for (uint16_t port = 40001; port <= 40004; ++port) {
    feed.Complete(port);
  }
  const AnalysisResult r = analyzer.Finish();
  ASSERT_EQ(r.connections.size(), 4u);
  for (const ConnectionRecord& c : r.connections) {
    EXPECT_EQ(c.ladder.has_value(), c.id == 3) << c.id;
  }
  EXPECT_EQ(r.connections[2].ladder->segments.size(), 6u);
}

}  // namespace
}  // namespace tcpstate
