// Possible states (analyzer/possible_states.cc): one scripted connection per
// inference rule, IPv4 and IPv6, checked on the record: the reported state,
// its certainty, and every other state the capture leaves possible.
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/connection.h"
#include "analyzer/flow_key.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kRst = TcpFlags::kRst,
                   kPsh = TcpFlags::kPsh;
constexpr uint32_t kC = 1000, kS = 5000;  // ISNs
using S = TcpState;
using R = PossibleReason;

struct Step {
  double at;  // seconds after the first segment
  bool from_client;
  uint16_t flags;
  uint32_t seq;
  uint32_t ack;
  uint32_t len;
  uint16_t window = 65535;
};

// The handshake at 0, 1 and 2 ms.
std::vector<Step> Handshake() {
  return {{0.000, true, kSyn, kC, 0, 0},
          {0.001, false, kSyn | kAck, kS, kC + 1, 0},
          {0.002, true, kAck, kC + 1, kS + 1, 0}};
}

std::vector<Step> With(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class PossibleStatesTest : public ::testing::TestWithParam<bool> {
 protected:
  // Feeds `steps` and writes the record `end` seconds after the first.
  ConnectionRecord Run(const std::vector<Step>& steps, double end,
                       bool mid_stream = false) {
    static constexpr uint8_t kClient6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
                                             0,    0,    0,    0,    0, 0, 0,
                                             0,    1};
    static constexpr uint8_t kServer6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
                                             0,    0,    0,    0,    0, 0, 0,
                                             0,    2};
    TestPeers peers;
    peers.client = GetParam() ? IpAddress::FromBytes(kClient6)
                              : IpAddress::V4(0xC6120001);
    peers.server = GetParam() ? IpAddress::FromBytes(kServer6)
                              : IpAddress::V4(0xC6120002);
    bool from_low = false;
    const FlowKey key = FlowKey::Of(
        MakeSegment(peers, steps[0].from_client, steps[0].flags, 0, 0, 0, 1),
        &from_low);
    const bool client_is_low = steps[0].from_client == from_low;
    Connection conn(1, key, client_is_low,
                    mid_stream ? RoleRule::kLowerPortIsServer
                               : RoleRule::kSynSenderIsClient,
                    mid_stream, options_);
    const absl::Time t0 = absl::FromUnixSeconds(1700000000);
    uint64_t packet = 0;
    for (const Step& s : steps) {
      ++packet;
      const absl::Time t = t0 + absl::Seconds(s.at);
      TcpSegment seg = MakeSegment(peers, s.from_client, s.flags, s.seq,
                                   s.ack, s.len, static_cast<uint16_t>(packet));
      seg.window = s.window;
      conn.OnSegment(seg, s.from_client, SegmentContext{packet, t});
    }
    const absl::Time now = t0 + absl::Seconds(end);
    conn.Refresh(now);
    ConnectionRecord rec = conn.ToRecord(now, EndReason::kCaptureEnd);
    for (const EndpointRecord* e : {&rec.client, &rec.server}) {
      // Confirmed means nothing else is possible, and the reverse holds for
      // every rule here.
      EXPECT_EQ(e->certainty == Certainty::kInferred,
                !e->possible_states.empty())
          << (e == &rec.client ? "client " : "server ")
          << TcpStateName(e->state);
      for (const PossibleState& p : e->possible_states) {
        EXPECT_NE(p.state, e->state);
        EXPECT_FALSE(p.reasons.empty());
      }
    }
    return rec;
  }

  ConnectionOptions options_;
};

const PossibleState* Find(const EndpointRecord& e, S state) {
  for (const PossibleState& p : e.possible_states) {
    if (p.state == state) {
      return &p;
    }
  }
  return nullptr;
}

std::vector<S> States(const EndpointRecord& e) {
  std::vector<S> out;
  for (const PossibleState& p : e.possible_states) {
    out.push_back(p.state);
  }
  return out;
}

TEST_P(PossibleStatesTest, FullCloseLongAgoIsConfirmed) {
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kFin | kAck, kC + 1, kS + 1, 0},
                             {0.004, false, kFin | kAck, kS + 1, kC + 2, 0},
                             {0.005, true, kAck, kC + 2, kS + 2, 0}}),
          10.0);
  EXPECT_EQ(rec.client.state, S::kTimeWait);
  EXPECT_EQ(rec.client.certainty, Certainty::kConfirmed);
  EXPECT_EQ(rec.server.state, S::kClosed);
  EXPECT_EQ(rec.server.certainty, Certainty::kConfirmed);
}

TEST_P(PossibleStatesTest, LastAckJustNowMayHaveBeenLost) {
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kFin | kAck, kC + 1, kS + 1, 0},
                             {0.004, false, kFin | kAck, kS + 1, kC + 2, 0},
                             {0.005, true, kAck, kC + 2, kS + 2, 0}}),
          1.0);
  EXPECT_EQ(rec.server.state, S::kClosed);
  ASSERT_EQ(States(rec.server), std::vector<S>{S::kLastAck});
  EXPECT_EQ(rec.server.possible_states[0].reasons[0], R::kReceiptLost);
  EXPECT_EQ(rec.server.possible_states[0].packet, 6u);
}

TEST_P(PossibleStatesTest, CloseQueuedBehindUnacknowledgedData) {
  // Class 1: the client's data is never ACKed; it may have closed, its FIN
  // waiting behind the 1000 bytes.
  const ConnectionRecord rec = Run(
      With(Handshake(), {{0.003, true, kAck | kPsh, kC + 1, kS + 1, 1000}}),
      5.0);
  EXPECT_EQ(rec.client.state, S::kEstablished);
  EXPECT_EQ(rec.client.certainty, Certainty::kInferred);
  const PossibleState* p = Find(rec.client, S::kFinWait1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kClosedBehindData);
  EXPECT_EQ(p->amount, 1000u);
  // Nothing outstanding from the server: only an unseen close or abort.
  EXPECT_EQ(States(rec.server), (std::vector<S>{S::kClosed, S::kFinWait1}));
  EXPECT_EQ(Find(rec.server, S::kFinWait1)->reasons[0], R::kClosedUnseen);
  EXPECT_EQ(Find(rec.server, S::kClosed)->reasons[0], R::kAbortedUnseen);
}

TEST_P(PossibleStatesTest, CloseQueuedBehindAZeroWindow) {
  // Everything sent is ACKed, but the server's window is shut: more data
  // may wait unsent, and a FIN behind it.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kAck | kPsh, kC + 1, kS + 1, 1000},
                             {0.004, false, kAck, kS + 1, kC + 1001, 0, 0}}),
          5.0);
  EXPECT_EQ(rec.client.state, S::kEstablished);
  const PossibleState* p = Find(rec.client, S::kFinWait1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kClosedBehindZeroWindow);
}

TEST_P(PossibleStatesTest, UnseenFinBeforeThePeersShowsInSequenceNumbers) {
  // The client's FIN is lost before the tap; its ACK of the server's FIN
  // carries SND.NXT one past its data: it sent a FIN first (CLOSING), or,
  // had it got the server's FIN first, LAST_ACK.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.100, false, kFin | kAck, kS + 1, kC + 1, 0},
                             {0.101, true, kAck, kC + 2, kS + 2, 0}}),
          5.0);
  EXPECT_EQ(rec.client.state, S::kClosing);
  const PossibleState* p = Find(rec.client, S::kLastAck);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kFinOrderUnseen);
}

TEST_P(PossibleStatesTest, UnseenFinAfterThePeersShowsInSequenceNumbers) {
  // It ACKed the server's FIN first, then closed (the FIN lost): LAST_ACK.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.100, false, kFin | kAck, kS + 1, kC + 1, 0},
                             {0.101, true, kAck, kC + 1, kS + 2, 0},
                             {0.500, true, kAck, kC + 2, kS + 2, 0}}),
          5.0);
  EXPECT_EQ(rec.client.state, S::kLastAck);
  EXPECT_NE(Find(rec.client, S::kClosing), nullptr);
}

TEST_P(PossibleStatesTest, FinReorderedBeforeTheTapStillWentFirst) {
  // At the tap the client's ACK of the server's FIN comes before its own
  // FIN, whose ACK field does not cover the server's FIN: the FIN left
  // first (FIN_WAIT_1, CLOSING), then the server ACKed it: TIME_WAIT, as
  // for the server, whose FIN was ACKed before the client's came.
  const ConnectionRecord rec = Run(
      With(Handshake(), {{0.100, false, kFin | kAck, kS + 1, kC + 1, 0},
                         {0.101, true, kAck, kC + 1, kS + 2, 0},
                         {0.102, true, kFin | kAck, kC + 1, kS + 1, 0},
                         {0.103, false, kAck, kS + 2, kC + 2, 0}}),
      5.0);
  EXPECT_EQ(rec.client.state, S::kTimeWait);  // not CLOSED via LAST_ACK
  EXPECT_EQ(rec.server.state, S::kTimeWait);
}

TEST_P(PossibleStatesTest, RetransmissionCrossingTheAckRetractsNothing) {
  // The server's FIN retransmission is seen 0.5 ms after the client's ACK,
  // within the 2 ms handshake round trip: it may have left before the ACK
  // arrived, so the ACK is not taken as lost.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.100, false, kFin | kAck, kS + 1, kC + 1, 0},
                             {0.300, true, kAck, kC + 1, kS + 2, 0},
                             {0.3005, false, kFin | kAck, kS + 1, kC + 1, 0}}),
          5.0);
  EXPECT_EQ(rec.server.state, S::kFinWait2);
}

TEST_P(PossibleStatesTest, EverySynchronizedStateButTimeWaitMayHaveAborted) {
  // FIN_WAIT_2 long after its FIN was ACKed: an abort (or Linux's orphan
  // timeout) would leave nothing at the tap either.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kFin | kAck, kC + 1, kS + 1, 0},
                             {0.004, false, kAck, kS + 1, kC + 2, 0}}),
          10.0);
  EXPECT_EQ(rec.client.state, S::kFinWait2);
  ASSERT_EQ(States(rec.client), std::vector<S>{S::kClosed});
  EXPECT_EQ(rec.client.possible_states[0].reasons[0], R::kAbortedUnseen);
}

TEST_P(PossibleStatesTest, PeerFinMayHaveArrived) {
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kFin | kAck, kC + 1, kS + 1, 0}}),
          0.1);
  EXPECT_EQ(rec.server.state, S::kEstablished);
  const PossibleState* p = Find(rec.server, S::kCloseWait);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kPeerFinArrived);
  EXPECT_EQ(p->packet, 4u);
}

TEST_P(PossibleStatesTest, SilentPeerUnderFinRetransmissions) {
  // Class 2: the client retransmits its FIN, the server never answers: it
  // may have got the FIN (CLOSE_WAIT), closed as well (CLOSING, LAST_ACK),
  // or aborted, everything it sent lost before the tap.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kFin | kAck, kC + 1, kS + 1, 0},
                             {0.300, true, kFin | kAck, kC + 1, kS + 1, 0},
                             {0.900, true, kFin | kAck, kC + 1, kS + 1, 0},
                             {2.100, true, kFin | kAck, kC + 1, kS + 1, 0}}),
          3.5);
  EXPECT_EQ(rec.client.state, S::kFinWait1);
  EXPECT_EQ(rec.server.state, S::kEstablished);
  EXPECT_EQ(States(rec.server),
            (std::vector<S>{S::kClosed, S::kFinWait1, S::kCloseWait,
                            S::kClosing, S::kLastAck}));
  const PossibleState* closing = Find(rec.server, S::kClosing);
  ASSERT_NE(closing, nullptr);
  EXPECT_EQ(closing->reasons.size(), 2u);
}

TEST_P(PossibleStatesTest, RstAfterALostOneWaitsForSilence) {
  // Class 3: the server's RST is lost after the tap (the client
  // retransmits); its answer to the retransmission counts only once the
  // client stays silent past its back-off.
  const std::vector<Step> steps =
      With(Handshake(), {{0.003, true, kAck | kPsh, kC + 1, kS + 1, 100},
                         {0.004, false, kRst, kS + 1, 0, 0},
                         {0.300, true, kAck | kPsh, kC + 1, kS + 1, 100},
                         {0.301, false, kRst, kS + 1, 0, 0}});
  const ConnectionRecord soon = Run(steps, 0.5);
  EXPECT_EQ(soon.client.state, S::kEstablished);
  const PossibleState* p = Find(soon.client, S::kClosed);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kRstArrived);
  EXPECT_EQ(p->packet, 7u);
  const ConnectionRecord late = Run(steps, 30.0);
  EXPECT_EQ(late.client.state, S::kClosed);
}

TEST_P(PossibleStatesTest, SynAckRetransmissionsFollowLinuxSchedule) {
  // Class 4: SYN-ACKs at 0, 1 and 3 s; Linux's next is due at 7 s. At 8.5 s
  // the silence is past the old 2.5x back-off but the endpoint keeps the
  // request until its schedule says otherwise.
  const std::vector<Step> steps = {{0.0, true, kSyn, kC, 0, 0},
                                   {0.001, false, kSyn | kAck, kS, kC + 1, 0},
                                   {1.001, false, kSyn | kAck, kS, kC + 1, 0},
                                   {3.001, false, kSyn | kAck, kS, kC + 1, 0}};
  const ConnectionRecord rec = Run(steps, 8.5);
  EXPECT_EQ(rec.server.state, S::kSynReceived);
  const PossibleState* p = Find(rec.server, S::kClosed);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kGaveUp);
  // Past the schedule's margin (7 s + 2 s) it gave up, or its
  // retransmissions were lost before the tap.
  const ConnectionRecord later = Run(steps, 20.0);
  EXPECT_EQ(later.server.state, S::kClosed);
  const PossibleState* q = Find(later.server, S::kSynReceived);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->reasons[0], R::kStillRetrying);
  EXPECT_EQ(q->amount, 63u);
  // After Linux's 63 s nothing but CLOSED.
  const ConnectionRecord gone = Run(steps, 70.0);
  EXPECT_EQ(gone.server.state, S::kClosed);
  EXPECT_EQ(Find(gone.server, S::kSynReceived), nullptr);
}

TEST_P(PossibleStatesTest, FreshSynAckMayBeASynCookie) {
  // One SYN-ACK, its retransmission not yet due: a cookie looks the same.
  const ConnectionRecord rec =
      Run({{0.0, true, kSyn, kC, 0, 0},
           {0.001, false, kSyn | kAck, kS, kC + 1, 0}},
          0.8);
  EXPECT_EQ(rec.server.state, S::kSynReceived);
  const PossibleState* p = Find(rec.server, S::kClosed);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kSynCookie);
}

TEST_P(PossibleStatesTest, UnansweredSynMayHaveBeenAbandoned) {
  const ConnectionRecord open =
      Run({{0.0, true, kSyn, kC, 0, 0}, {1.0, true, kSyn, kC, 0, 0}}, 1.5);
  EXPECT_EQ(open.client.state, S::kSynSent);
  ASSERT_EQ(States(open.client), std::vector<S>{S::kClosed});
  EXPECT_EQ(open.client.possible_states[0].reasons[0], R::kGaveUp);
  // A lone SYN followed by silence: given up (or a raw-socket scanner),
  // unless its retransmissions were lost before the tap.
  const ConnectionRecord lone = Run({{0.0, true, kSyn, kC, 0, 0}}, 10.0);
  EXPECT_EQ(lone.client.state, S::kClosed);
  ASSERT_EQ(States(lone.client), std::vector<S>{S::kSynSent});
  EXPECT_EQ(lone.client.possible_states[0].amount, 127u);
}

TEST_P(PossibleStatesTest, TimeWaitMayLastLongerElsewhere) {
  const std::vector<Step> steps =
      With(Handshake(), {{0.003, true, kFin | kAck, kC + 1, kS + 1, 0},
                         {0.004, false, kFin | kAck, kS + 1, kC + 2, 0},
                         {0.005, true, kAck, kC + 2, kS + 2, 0}});
  const ConnectionRecord rec = Run(steps, 100.0);
  EXPECT_EQ(rec.client.state, S::kClosed);
  ASSERT_EQ(States(rec.client), std::vector<S>{S::kTimeWait});
  EXPECT_EQ(rec.client.possible_states[0].reasons[0], R::kLongerTimeWait);
  const ConnectionRecord later = Run(steps, 300.0);
  EXPECT_TRUE(later.client.possible_states.empty());
}

TEST_P(PossibleStatesTest, RstToAnIdleEndpointIsNeverProven) {
  // Nothing outstanding at the server: had the RST been lost, it would be
  // silent all the same.
  const ConnectionRecord rec =
      Run(With(Handshake(), {{0.003, true, kRst | kAck, kC + 1, kS + 1, 0}}),
          30.0);
  EXPECT_EQ(rec.server.state, S::kClosed);
  ASSERT_EQ(States(rec.server), std::vector<S>{S::kEstablished});
  EXPECT_EQ(rec.server.possible_states[0].reasons[0], R::kReceiptLost);
}

TEST_P(PossibleStatesTest, MidStreamFinsBeforeTheCapture) {
  // Only the low port (the server by rule) sends data; the client only
  // ACKs: it may have closed its side before the capture started.
  const ConnectionRecord rec =
      Run({{0.0, false, kAck | kPsh, kS, kC, 100},
           {0.001, true, kAck, kC, kS + 100, 0}},
          10.0, /*mid_stream=*/true);
  EXPECT_EQ(rec.client.state, S::kEstablished);
  const PossibleState* p = Find(rec.client, S::kFinWait2);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->reasons[0], R::kClosedBeforeCapture);
}

INSTANTIATE_TEST_SUITE_P(IpVersions, PossibleStatesTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Ipv6" : "Ipv4";
                         });

}  // namespace
}  // namespace tcpstate
