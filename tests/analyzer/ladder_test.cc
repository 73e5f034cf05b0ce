// Ladder recording: what a connection keeps for its diagram, folds, losses
// after the tap, and which connections keep their ladder.
#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
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

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck, kRst = TcpFlags::kRst,
                   kFin = TcpFlags::kFin, kPsh = TcpFlags::kPsh;
constexpr uint32_t kC = 3000000000u, kS = 7000;  // ISNs (client wraps)

// One segment of a script: its direction, flags, seq and ack relative to
// the ISNs above, payload length, and the time since the segment before.
struct Step {
  bool from_client;
  uint16_t flags;
  uint32_t seq;
  uint32_t ack;
  uint32_t len;
  absl::Duration gap;
};

Step C(uint16_t f, uint32_t s, uint32_t a, uint32_t len = 0,
       absl::Duration gap = absl::Milliseconds(10)) {
  return {true, f, s, a, len, gap};
}

Step Srv(uint16_t f, uint32_t s, uint32_t a, uint32_t len = 0,
         absl::Duration gap = absl::Milliseconds(10)) {
  return {false, f, s, a, len, gap};
}

// The three-way handshake (packets 1-3), then `rest`.
std::vector<Step> AfterHandshake(const std::vector<Step>& rest) {
  std::vector<Step> script = {C(kSyn, 0, 0), Srv(kSyn | kAck, 0, 1),
                              C(kAck, 1, 1)};
  script.insert(script.end(), rest.begin(), rest.end());
  return script;
}

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
  void Play(const Step& step) {
    const uint32_t own_isn = step.from_client ? kC : kS;
    const uint32_t peer_isn = step.from_client ? kS : kC;
    Send(step.from_client, step.flags, own_isn + step.seq, peer_isn + step.ack,
         step.len, step.gap);
  }
  // Absolute seq/ack; `ip_id` 0 takes the next one.
  void Send(bool from_client, uint16_t f, uint32_t s, uint32_t a, uint32_t len,
            absl::Duration gap, uint16_t ip_id = 0) {
    t_ += gap;
    table_->OnSegment(MakeSegment(peers_, from_client, f, s, a, len,
                                  ip_id != 0 ? ip_id : ++ip_id_),
                      SegmentContext{++packet_, t_});
  }
  // Plays `script` and ends the connection.
  ConnectionRecord Run(const std::vector<Step>& script) {
    for (const Step& step : script) {
      Play(step);
    }
    return End();
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

bool Contains(const std::vector<size_t>& v, size_t i) {
  return std::find(v.begin(), v.end(), i) != v.end();
}

// A short script: every segment is kept as played (relative numbers,
// window, no folds) and carries exactly the expected marks.
struct ScriptCase {
  std::string name;
  std::vector<Step> script;
  std::vector<size_t> lost;     // the indices marked lost after the tap
  std::vector<size_t> flagged;  // the indices with any anomaly kind
  std::optional<absl::Duration> handshake_rtt;  // checked when set
};

std::vector<ScriptCase> ScriptCases() {
  const absl::Duration ms = absl::Milliseconds(1);
  return {
      {"HandshakeAndCloseWithRelativeNumbers",
       AfterHandshake({C(kPsh | kAck, 1, 1, 100), Srv(kAck, 1, 101),
                       C(kFin | kAck, 101, 1), Srv(kAck, 1, 102),
                       Srv(kFin | kAck, 1, 102), C(kAck, 102, 2)}),
       {},
       {},
       20 * ms},
      {"SynAckLostAfterTapIsMarked",
       {C(kSyn, 0, 0),                       // 1
        Srv(kSyn | kAck, 0, 1),              // 2: lost after the tap
        C(kSyn, 0, 0, 0, absl::Seconds(1)),  // 3: the client never got it
        Srv(kSyn | kAck, 0, 1, 0, 5 * ms),   // 4
        C(kAck, 1, 1)},                      // 5
       {1},
       {2, 3},
       std::nullopt},
      {"AckOfFinLostAfterTapIsMarked",
       AfterHandshake({C(kFin | kAck, 1, 1),               // 4
                       Srv(kAck, 1, 2),                    // 5: lost
                       C(kFin | kAck, 1, 1, 0, 300 * ms),  // 6: FIN again
                       Srv(kAck, 1, 2)}),                  // 7
       {4},
       {5, 6},
       std::nullopt},
      {"FinNeverAckedBeforeItsRetransmissionIsMarked",
       AfterHandshake({C(kPsh | kAck, 1, 1, 10),              // 4
                       Srv(kAck, 1, 11),                      // 5
                       C(kFin | kAck, 11, 1),                 // 6: lost
                       Srv(kPsh | kAck, 1, 11, 5, 100 * ms),  // 7: acks 11
                       C(kFin | kAck, 11, 6, 0, 300 * ms),    // 8: FIN again
                       Srv(kAck, 6, 12)}),                    // 9
       {5},
       {7},
       std::nullopt},
      {"DataRetransmissionProvesLossOnlyAtTheReceiversNextByte",
       // Packet 5 sits beyond the hole: the receiver may well have it.
       AfterHandshake({C(kPsh | kAck, 1, 1, 10),            // 4: lost
                       C(kPsh | kAck, 11, 1, 10),           // 5: arrives
                       Srv(kAck, 1, 1, 0, 50 * ms),         // 6: dup ACK
                       C(kPsh | kAck, 1, 1, 10, 200 * ms),  // 7: resends 4
                       C(kPsh | kAck, 11, 1, 10, ms),       // 8: resends 5
                       Srv(kAck, 1, 21)}),                  // 9
       {3},
       {5, 6, 7},
       std::nullopt},
      {"RetransmissionWithoutAnAnswerProvesNothing",
       AfterHandshake({C(kPsh | kAck, 1, 1, 10),              // 4
                       C(kPsh | kAck, 1, 1, 10, 200 * ms)}),  // 5: RTO
       {},
       {4},
       std::nullopt},
  };
}

void PrintTo(const ScriptCase& c, std::ostream* os) { *os << c.name; }

class LadderScriptTest : public ::testing::TestWithParam<ScriptCase> {};

TEST_P(LadderScriptTest, KeepsEverySegmentWithItsMarks) {
  const ScriptCase& tc = GetParam();
  const ConnectionRecord r = Driver().Run(tc.script);
  ASSERT_TRUE(r.ladder.has_value());
  const Ladder& l = *r.ladder;
  EXPECT_EQ(l.total, tc.script.size());
  EXPECT_TRUE(l.folds.empty());
  ASSERT_EQ(l.segments.size(), tc.script.size());
  for (size_t i = 0; i < tc.script.size(); ++i) {
    const LadderSegment& s = l.segments[i];
    const Step& want = tc.script[i];
    SCOPED_TRACE(absl::StrCat("segment ", i));
    EXPECT_EQ(s.packet, i + 1);
    EXPECT_EQ(s.from_client, want.from_client);
    EXPECT_EQ(s.flags, want.flags);
    EXPECT_EQ(s.rel_seq, want.seq);
    EXPECT_EQ(s.rel_ack, want.ack);
    EXPECT_EQ(s.len, want.len);
    EXPECT_EQ(s.window, 65535);
    EXPECT_EQ(s.lost_after_tap, Contains(tc.lost, i));
    EXPECT_EQ(s.anomaly_kinds != 0, Contains(tc.flagged, i))
        << "anomaly_kinds " << s.anomaly_kinds;
    EXPECT_FALSE(s.duplicate);
  }
  if (tc.handshake_rtt.has_value()) {
    ASSERT_TRUE(r.handshake_rtt.has_value());
    EXPECT_EQ(*r.handshake_rtt, *tc.handshake_rtt);
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, LadderScriptTest,
                         ::testing::ValuesIn(ScriptCases()),
                         [](const ::testing::TestParamInfo<ScriptCase>& p) {
                           return p.param.name;
                         });

TEST(LadderTest, MidStreamKeepsRawNumbers) {
  const ConnectionRecord r =
      Driver().Run({C(kPsh | kAck, 10, 20, 5)});  // no SYN: ISNs unknown
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
  for (const Step& step : AfterHandshake({})) {  // packets 1-3
    d.Play(step);
  }
  uint32_t seq = 1;
  for (int i = 0; i < 40; ++i) {  // packets 4.. : data and a copy now and then
    d.Play(C(kPsh | kAck, seq, 1, 10));
    if (i == 10 || i == 20 || i == 30) {
      // The same packet captured twice (same IP ID) right after.
      d.Send(true, kPsh | kAck, kC + seq, kS + 1, 10, absl::Microseconds(10),
             d.last_ip_id());
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

// Ladders never change the analysis: the table cap is the same whatever
// the ladder mode (recorders have their own budget).
TEST(LadderTest, TableCapIndependentOfLadders) {
  AnalyzerOptions o;
  o.max_connections = size_t{1} << 30;
  o.max_memory_bytes = uint64_t{64} << 20;
  const size_t off = Analyzer::EffectiveMaxConnections(o);
  for (LadderMode m : {LadderMode::kOne, LadderMode::kSelected,
                       LadderMode::kFirstPackets}) {
    o.ladders = m;
    EXPECT_EQ(Analyzer::EffectiveMaxConnections(o), off);
  }
  EXPECT_GE(LadderRecorder::BytesFor({}), 72 * sizeof(LadderSegment));
}

// kSelected: recorders of open connections share a budget; a connection
// created while it is spent records none, one created after a recorder was
// freed records one again.
TEST(LadderTest, SelectedRecordersShareABudget) {
  FlowTableOptions o;
  o.ladders = LadderMode::kSelected;
  o.ladder_budget_bytes = 2 * LadderRecorder::BytesFor(o.ladder_limits);
  FlowTable table(o);
  absl::Time t = absl::FromUnixSeconds(1);
  uint64_t n = 0;
  auto syn = [&](uint16_t port) {
    TestPeers peers{IpAddress::V4(1), IpAddress::V4(2), port, 80};
    t += absl::Milliseconds(1);
    table.OnSegment(MakeSegment(peers, true, kSyn, 1, 0, 0, 1), {++n, t});
  };
  auto rst = [&](uint16_t port) {  // closes it at once
    TestPeers peers{IpAddress::V4(1), IpAddress::V4(2), port, 80};
    t += absl::Milliseconds(1);
    table.OnSegment(MakeSegment(peers, false, kRst | kAck, 0, 2, 0, 1),
                    {++n, t});
  };
  syn(40001);
  syn(40002);
  syn(40003);  // budget spent: no ladder
  rst(40001);
  t += absl::Seconds(30);
  table.Expire(t);  // 40001 written out: its recorder is freed
  syn(40004);
  table.FlushAll(t);
  std::vector<ConnectionRecord> out = table.TakeFinished();
  ASSERT_EQ(out.size(), 4u);
  std::sort(out.begin(), out.end(),
            [](const ConnectionRecord& a, const ConnectionRecord& b) {
              return a.id < b.id;
            });
  EXPECT_TRUE(out[0].ladder.has_value());
  EXPECT_TRUE(out[1].ladder.has_value());
  EXPECT_FALSE(out[2].ladder.has_value());
  EXPECT_TRUE(out[3].ladder.has_value());
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

// kOne and kFirstPackets record exactly the connections asked for, whole.
struct OnlyCase {
  const char* name;
  LadderMode mode;
  uint64_t connection;        // kOne
  std::vector<uint64_t> ids;  // kFirstPackets: these connections' first
                              // packets
};

// The four connections' records (four complete handshakes).
AnalysisResult FourConnections(const AnalyzerOptions& o) {
  Analyzer analyzer(o, nullptr);
  FrameFeeder feed(&analyzer);
  for (uint16_t port = 40001; port <= 40004; ++port) {
    feed.Complete(port);
  }
  return analyzer.Finish();
}

TEST(LadderSelectionTest, OnlyTheConnectionsAskedFor) {
  const OnlyCase cases[] = {
      {"one", LadderMode::kOne, 3, {}},
      {"first_packets", LadderMode::kFirstPackets, 0, {2, 4}},
  };
  const AnalysisResult plain = FourConnections(AnalyzerOptions());
  for (const OnlyCase& k : cases) {
    SCOPED_TRACE(k.name);
    AnalyzerOptions o;
    o.ladders = k.mode;
    o.ladder_connection = k.connection;
    for (const ConnectionRecord& c : plain.connections) {
      if (std::find(k.ids.begin(), k.ids.end(), c.id) != k.ids.end()) {
        o.ladder_packets.push_back(c.first_packet);
      }
    }
    ASSERT_EQ(o.ladder_packets.size(), k.ids.size());
    const AnalysisResult r = FourConnections(o);
    ASSERT_EQ(r.connections.size(), 4u);
    for (const ConnectionRecord& c : r.connections) {
      const bool asked =
          c.id == k.connection ||
          std::find(k.ids.begin(), k.ids.end(), c.id) != k.ids.end();
      EXPECT_EQ(c.ladder.has_value(), asked) << c.id;
      if (asked && c.ladder) {
        EXPECT_EQ(c.ladder->segments.size(), 6u) << c.id;
      }
    }
  }
}

}  // namespace
}  // namespace tcpstate
