#include "analyzer/endpoint_machine.h"

#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;
using S = TcpState;

struct StepCase {
  S from;
  E event;
  bool own_syn_acked;
  S expected;
};

class NextStateTest : public testing::TestWithParam<StepCase> {};

TEST_P(NextStateTest, FollowsRfc9293) {
  const StepCase& c = GetParam();
  ReplayContext ctx;
  ctx.own_syn_acked = c.own_syn_acked;
  EXPECT_EQ(NextState(c.from, c.event, ctx), c.expected)
      << TcpStateName(c.from) << " + " << EndpointEventName(c.event);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NextStateTest,
    testing::Values(
        StepCase{S::kUnknown, E::kSendSyn, false, S::kSynSent},
        StepCase{S::kUnknown, E::kRecvSyn, false, S::kSynReceived},
        StepCase{S::kUnknown, E::kSendSynAck, false, S::kSynReceived},
        StepCase{S::kUnknown, E::kSendAck, false, S::kEstablished},
        StepCase{S::kUnknown, E::kRecvFin, false, S::kCloseWait},
        StepCase{S::kUnknown, E::kSendRst, false, S::kClosed},
        StepCase{S::kSynSent, E::kRecvSyn, true, S::kEstablished},
        StepCase{S::kSynSent, E::kRecvSyn, false, S::kSynReceived},
        StepCase{S::kSynSent, E::kSendSynAck, false, S::kSynReceived},
        StepCase{S::kSynSent, E::kRecvRst, false, S::kClosed},
        StepCase{S::kSynSent, E::kSendSyn, false, S::kSynSent},
        StepCase{S::kSynReceived, E::kRecvAckOfSyn, false, S::kEstablished},
        StepCase{S::kSynReceived, E::kRecvFin, false, S::kCloseWait},
        StepCase{S::kSynReceived, E::kSendFin, false, S::kFinWait1},
        StepCase{S::kEstablished, E::kSendFin, true, S::kFinWait1},
        StepCase{S::kEstablished, E::kRecvFin, true, S::kCloseWait},
        StepCase{S::kEstablished, E::kRecvRst, true, S::kClosed},
        StepCase{S::kEstablished, E::kRecvAckOfFin, true, S::kEstablished},
        StepCase{S::kFinWait1, E::kRecvAckOfFin, true, S::kFinWait2},
        StepCase{S::kFinWait1, E::kRecvFin, true, S::kClosing},
        StepCase{S::kFinWait2, E::kRecvFin, true, S::kTimeWait},
        StepCase{S::kFinWait2, E::kSendAck, true, S::kFinWait2},
        StepCase{S::kCloseWait, E::kSendFin, true, S::kLastAck},
        StepCase{S::kCloseWait, E::kSendAck, true, S::kCloseWait},
        StepCase{S::kClosing, E::kRecvAckOfFin, true, S::kTimeWait},
        StepCase{S::kLastAck, E::kRecvAckOfFin, true, S::kClosed},
        StepCase{S::kLastAck, E::kSendRst, true, S::kClosed},
        StepCase{S::kTimeWait, E::kReplaced, true, S::kClosed},
        StepCase{S::kTimeWait, E::kRecvFin, true, S::kTimeWait}));

absl::Time T(int ms) { return absl::FromUnixMillis(1000000 + ms); }

TEST(ReplayTest, ActiveCloseReachesTimeWaitThenExpires) {
  std::vector<EventRecord> ev = {
      MakeEvent(E::kSendSyn, 1, T(0), 2),
      MakeEvent(E::kRecvAckOfSyn, 2, T(1), 4),
      MakeEvent(E::kRecvSyn, 3, T(2), 0),
      MakeEvent(E::kSendFin, 4, T(3), 3),
      MakeEvent(E::kRecvAckOfFin, 5, T(4), 4),
      MakeEvent(E::kRecvFin, 6, T(5), 1),
  };
  ReplayResult r = Replay(ev, T(10), absl::Seconds(60));
  EXPECT_EQ(r.state, S::kTimeWait);
  ASSERT_EQ(r.steps.size(), 5u);
  EXPECT_EQ(r.steps[0].state, S::kSynSent);
  EXPECT_EQ(r.steps[1].state, S::kEstablished);
  EXPECT_EQ(r.steps[2].state, S::kFinWait1);
  EXPECT_EQ(r.steps[3].state, S::kFinWait2);
  EXPECT_EQ(r.steps[4].state, S::kTimeWait);
  EXPECT_EQ(r.steps[4].packet, 6u);

  r = Replay(ev, T(5) + absl::Seconds(60), absl::Seconds(60));
  EXPECT_EQ(r.state, S::kClosed);
  EXPECT_EQ(r.steps.back().event_index, -1);
  EXPECT_EQ(r.steps.back().t, T(5) + absl::Seconds(60));
}

TEST(ReplayTest, DeferredAssumptionCountsOnlyFromValidFrom) {
  std::vector<EventRecord> ev = {
      MakeEvent(E::kSendAck, 1, T(0), 2),
      MakeEvent(E::kSendFin, 2, T(1), 3),
      MakeEvent(E::kRecvAckOfFin, 3, T(2), 4),
  };
  ev[2].assumed = true;
  AssumptionTimes valid_from;
  valid_from.ack_of_fin = T(5000);
  EXPECT_EQ(Replay(ev, T(4999), absl::Seconds(60), valid_from).state,
            S::kFinWait1);
  EXPECT_EQ(Replay(ev, T(5000), absl::Seconds(60), valid_from).state,
            S::kFinWait2);
}

}  // namespace
}  // namespace tcpstate
