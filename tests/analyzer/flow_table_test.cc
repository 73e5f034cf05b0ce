// Scripted segment sequences through the flow table: every transition the
// vantage-point rule has to get right, for IPv4 and IPv6 alike.
#include "analyzer/flow_table.h"

#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

using S = TcpState;
constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kRst = TcpFlags::kRst,
                   kPsh = TcpFlags::kPsh;

class Script {
 public:
  explicit Script(bool v6, uint32_t c_isn = 1000, uint32_t s_isn = 5000)
      : c_isn_(c_isn), s_isn_(s_isn) {
    if (v6) {
      uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                       0,    0,    0,    0,    0, 0, 0, 1};
      client_ = IpAddress::FromBytes(a);
      a[15] = 2;
      server_ = IpAddress::FromBytes(a);
    } else {
      client_ = IpAddress::V4(0xC6120001);  // 198.18.0.1
      server_ = IpAddress::V4(0xC6120002);
    }
    table_ = std::make_unique<FlowTable>(FlowTableOptions{});
  }

  // Sends a segment; seq/ack are relative to the ISNs (0 = the SYN).
  void C(uint16_t flags, uint32_t rseq, uint32_t rack, uint32_t len = 0) {
    Send(true, flags, c_isn_ + rseq, s_isn_ + rack, len);
  }
  void Srv(uint16_t flags, uint32_t rseq, uint32_t rack, uint32_t len = 0) {
    Send(false, flags, s_isn_ + rseq, c_isn_ + rack, len);
  }
  void Send(bool from_client, uint16_t flags, uint32_t seq, uint32_t ack,
            uint32_t len, uint16_t ip_id = 0) {
    const TcpSegment s =
        MakeSegment(TestPeers{client_, server_}, from_client, flags, seq, ack,
                    len, ip_id != 0 ? ip_id : ++ip_id_);
    t_ += absl::Milliseconds(10);
    table_->OnSegment(s, SegmentContext{++packet_, t_});
  }
  void Wait(absl::Duration d) { t_ += d; }
  void Handshake() {
    C(kSyn, 0, 0);
    Srv(kSyn | kAck, 0, 1);
    C(kAck, 1, 1);
  }
  std::vector<ConnectionRecord> Finish() {
    table_->FlushAll(t_);
    return table_->TakeFinished();
  }
  ConnectionRecord Only() {
    std::vector<ConnectionRecord> r = Finish();
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? ConnectionRecord{} : r[0];
  }
  uint64_t packet() const { return packet_; }

 private:
  uint32_t c_isn_, s_isn_;
  IpAddress client_, server_;
  std::unique_ptr<FlowTable> table_;
  uint64_t packet_ = 0;
  uint16_t ip_id_ = 100;
  absl::Time t_ = absl::FromUnixSeconds(1763730000);
};

class FlowTableTest : public testing::TestWithParam<bool> {};

TEST_P(FlowTableTest, ClientActiveCloseEndsTimeWaitAndClosed) {
  Script s(GetParam());
  s.Handshake();
  s.C(kAck | kPsh, 1, 1, 100);
  s.Srv(kAck | kPsh, 1, 101, 200);
  s.C(kFin | kAck, 101, 201);
  s.Srv(kFin | kAck, 201, 102);
  s.C(kAck, 102, 202);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kTimeWait);
  EXPECT_EQ(r.server.state, S::kClosed);
  EXPECT_EQ(r.client.payload_bytes, 100u);
  EXPECT_EQ(r.server.payload_bytes, 200u);
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.history, "ShADdFf");
  EXPECT_FALSE(r.mid_stream);
  ASSERT_EQ(r.client.timeline.size(), 5u);
  EXPECT_EQ(r.client.timeline[0].state, S::kSynSent);
  EXPECT_EQ(r.client.timeline[1].state, S::kEstablished);
  EXPECT_EQ(r.client.timeline[2].state, S::kFinWait1);
  EXPECT_EQ(r.client.timeline[3].state, S::kFinWait2);  // ACK on server FIN
  EXPECT_EQ(r.client.timeline[3].packet, 7u);
  EXPECT_EQ(r.client.timeline[4].state, S::kTimeWait);
  // The server's FIN (pkt 7) reached the client before its ACK (pkt 8).
  EXPECT_EQ(r.client.timeline[4].packet, 7u);
  EXPECT_EQ(r.server.timeline.back().state, S::kClosed);
  EXPECT_EQ(r.server.timeline.back().packet, 8u);
  EXPECT_EQ(r.client.isn, 1000u);
  EXPECT_EQ(r.server.isn, 5000u);
}

TEST_P(FlowTableTest, TimeWaitExpiresInCaptureTime) {
  Script s(GetParam());
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.Srv(kFin | kAck, 1, 2);
  s.C(kAck, 2, 2);
  s.Wait(absl::Seconds(61));
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kClosed);
  EXPECT_EQ(r.client.timeline.back().packet, 0u);
}

TEST_P(FlowTableTest, ServerThatNeverClosesIsCloseWait) {
  Script s(GetParam());
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.Srv(kAck, 1, 2);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kFinWait2);
  EXPECT_EQ(r.server.state, S::kCloseWait);
  // It may have closed or aborted since, unseen: never confirmed.
  EXPECT_EQ(r.server.certainty, Certainty::kInferred);
  EXPECT_EQ(r.conn_state, "S2");
}

TEST_P(FlowTableTest, HalfCloseKeepsDataFlowingFromCloseWait) {
  Script s(GetParam());
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.Srv(kAck, 1, 2);
  s.Srv(kAck | kPsh, 1, 2, 1000);
  s.C(kAck, 2, 1001);
  s.Srv(kAck | kPsh, 1001, 2, 1000);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kFinWait2);
  EXPECT_EQ(r.server.state, S::kCloseWait);
  EXPECT_EQ(r.server.payload_bytes, 2000u);
}

TEST_P(FlowTableTest, FinRetransmittedAfterItsAckStaysFinWait1) {
  Script s(GetParam());
  s.Handshake();
  s.Srv(kFin | kAck, 1, 1);  // pkt 4
  s.C(kAck, 1, 2);           // pkt 5: lost after the tap
  s.Srv(kFin | kAck, 1, 1);  // pkt 6: retransmission proves it
  s.C(kAck, 1, 2);
  s.Srv(kFin | kAck, 1, 1);
  s.C(kAck, 1, 2);  // captured, but the path keeps dropping these
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.server.state, S::kFinWait1);
  EXPECT_EQ(r.client.state, S::kCloseWait);
  ASSERT_FALSE(r.notes.empty());
  bool found = false;
  for (const std::string& n : r.notes) {
    found = found || n.find("never reached the server; it is still in "
                            "FIN_WAIT_1") != std::string::npos;
  }
  EXPECT_TRUE(found);
}

TEST_P(FlowTableTest, FinRetransmissionsThatStopMeanTheAckArrived) {
  Script s(GetParam());
  s.Handshake();
  s.Srv(kFin | kAck, 1, 1);
  s.C(kAck, 1, 2);
  s.Srv(kFin | kAck, 1, 1);
  s.C(kAck, 1, 2);
  s.Wait(absl::Seconds(30));
  s.C(kAck, 1, 2);  // something later moves capture time on
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.server.state, S::kFinWait2);
}

TEST_P(FlowTableTest, FinalAckLostAfterTapLeavesLastAck) {
  Script s(GetParam());
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.Srv(kAck, 1, 2);
  s.Srv(kFin | kAck, 1, 2);
  s.C(kAck, 2, 2);
  // A retransmission one RTO later (not within a round trip of the ACK,
  // where the two could have crossed).
  s.Wait(absl::Milliseconds(200));
  s.Srv(kFin | kAck, 1, 2);
  s.C(kAck, 2, 2);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kTimeWait);
  EXPECT_EQ(r.server.state, S::kLastAck);
}

TEST_P(FlowTableTest, SimultaneousCloseGoesThroughClosing) {
  Script s(GetParam());
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.Srv(kFin | kAck, 1, 1);  // crosses the client's FIN
  s.C(kAck, 2, 2);
  s.Srv(kAck, 2, 2);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kTimeWait);
  EXPECT_EQ(r.server.state, S::kTimeWait);
  bool closing = false;
  for (const StateChange& c : r.client.timeline) {
    closing = closing || c.state == S::kClosing;
  }
  EXPECT_TRUE(closing);
}

TEST_P(FlowTableTest, SimultaneousOpen) {
  Script s(GetParam());
  s.C(kSyn, 0, 0);
  s.Srv(kSyn, 0, 0);
  s.C(kSyn | kAck, 0, 1);
  s.Srv(kSyn | kAck, 0, 1);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kEstablished);
  EXPECT_EQ(r.server.state, S::kEstablished);
}

TEST_P(FlowTableTest, RefusedConnection) {
  Script s(GetParam());
  s.C(kSyn, 0, 0);
  s.Send(false, kRst | kAck, 0, 1001, 0);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kClosed);
  EXPECT_EQ(r.server.state, S::kClosed);
  EXPECT_EQ(r.conn_state, "REJ");
}

TEST_P(FlowTableTest, SynRetransmittedAfterRstProvesTheRstLost) {
  // The refusing RST is lost after the tap: the client retransmits the same
  // SYN (1 s, then 2 s later), each answered by an RST. Every attempt is a
  // record of its own (Zeek's rows), but the client is still SYN_SENT: the
  // last RST counts only after a silence it has not yet kept.
  Script s(GetParam());
  s.C(kSyn, 0, 0);
  s.Send(false, kRst | kAck, 0, 1001, 0);
  s.Wait(absl::Seconds(1));
  s.C(kSyn, 0, 0);
  s.Send(false, kRst | kAck, 0, 1001, 0);
  s.Wait(absl::Seconds(2));
  s.C(kSyn, 0, 0);
  s.Send(false, kRst | kAck, 0, 1001, 0);
  s.Wait(absl::Milliseconds(500));
  const std::vector<ConnectionRecord> r = s.Finish();
  ASSERT_EQ(r.size(), 3u);
  for (const ConnectionRecord& c : r) {
    EXPECT_EQ(c.client.state, S::kSynSent) << c.id;
  }
  const ConnectionRecord& last = r.back();
  ASSERT_EQ(last.client.possible_states.size(), 1u);
  EXPECT_EQ(last.client.possible_states[0].state, S::kClosed);
  EXPECT_EQ(last.client.possible_states[0].reasons[0],
            PossibleReason::kRstArrived);
}

TEST_P(FlowTableTest, AcceptableRstClosesBoth) {
  Script s(GetParam());
  s.Handshake();
  s.C(kAck | kPsh, 1, 1, 10);
  s.Srv(kRst | kAck, 1, 11);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kClosed);
  EXPECT_EQ(r.server.state, S::kClosed);
  EXPECT_EQ(r.conn_state, "RSTR");
}

TEST_P(FlowTableTest, OutOfWindowRstIsIgnoredAndForgerUnmasked) {
  Script s(GetParam());
  s.Handshake();
  s.Srv(kRst, 900000, 0);  // far outside the window, "from" the server
  s.Srv(kAck | kPsh, 1, 1, 50);
  s.C(kAck, 1, 51);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kEstablished);
  EXPECT_EQ(r.server.state, S::kEstablished);
  bool ignored = false, forged = false;
  for (const std::string& n : r.notes) {
    ignored = ignored || n.find("not acceptable") != std::string::npos;
    forged = forged || n.find("kept sending") != std::string::npos;
  }
  EXPECT_TRUE(ignored);
  EXPECT_TRUE(forged);
}

TEST_P(FlowTableTest, LostSynAckLeavesBothInHandshake) {
  Script s(GetParam());
  s.C(kSyn, 0, 0);
  s.Srv(kSyn | kAck, 0, 1);
  s.C(kSyn, 0, 0);
  s.Srv(kSyn | kAck, 0, 1);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kSynSent);
  EXPECT_EQ(r.server.state, S::kSynReceived);
}

TEST_P(FlowTableTest, LostFinalHandshakeAckKeepsServerSynReceived) {
  Script s(GetParam());
  s.Handshake();
  s.Wait(absl::Seconds(1));  // the SYN-ACK's retransmission timer
  s.Srv(kSyn | kAck, 0, 1);  // the ACK never arrived
  s.C(kAck, 1, 1);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.state, S::kEstablished);
  EXPECT_EQ(r.server.state, S::kSynReceived);
}

TEST_P(FlowTableTest, UnansweredSynAbandonedAfterSilence) {
  Script s(GetParam());
  s.C(kSyn, 0, 0);
  s.Srv(kSyn | kAck, 0, 1);
  s.Wait(absl::Seconds(5));
  s.Send(true, kAck, 77, 77, 0);  // unrelated later traffic moves time on
  std::vector<ConnectionRecord> r = s.Finish();
  ASSERT_GE(r.size(), 1u);
  EXPECT_EQ(r[0].server.state, S::kClosed);  // no SYN-ACK retransmission
}

TEST_P(FlowTableTest, DuplicateCaptureIsNotARetransmission) {
  Script s(GetParam());
  s.Handshake();
  s.C(kFin | kAck, 1, 1);
  s.Srv(kFin | kAck, 1, 2);
  s.Send(false, kFin | kAck, 5001, 1002, 0, s.packet() == 0 ? 1 : 105);
  s.C(kAck, 2, 2);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.server.state, S::kClosed);
}

TEST_P(FlowTableTest, MidStreamInfersEstablishedAndRoles) {
  Script s(GetParam());
  s.Srv(kAck | kPsh, 100, 100, 20);
  s.C(kAck, 100, 120);
  ConnectionRecord r = s.Only();
  EXPECT_TRUE(r.mid_stream);
  EXPECT_EQ(r.client.port, 40000);
  EXPECT_EQ(r.server.port, 8000);
  EXPECT_EQ(r.client.state, S::kEstablished);
  EXPECT_EQ(r.server.state, S::kEstablished);
  EXPECT_EQ(r.client.certainty, Certainty::kInferred);
  EXPECT_EQ(r.role_rule, RoleRule::kLowerPortIsServer);
}

TEST_P(FlowTableTest, PortReuseAfterTimeWaitStartsNewRecord) {
  Script s(GetParam());
  s.Handshake();
  s.Srv(kFin | kAck, 1, 1);
  s.C(kFin | kAck, 1, 2);
  s.Srv(kAck, 2, 2);  // server TIME_WAIT, client CLOSED
  s.Send(true, kSyn, 90000, 0, 0);  // new ISN, same 4-tuple
  s.Send(false, kSyn | kAck, 70000, 90001, 0);
  s.Send(true, kAck, 90001, 70001, 0);
  std::vector<ConnectionRecord> r = s.Finish();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].end_reason, EndReason::kPortReuse);
  EXPECT_EQ(r[0].server.state, S::kClosed);
  EXPECT_EQ(r[1].client.state, S::kEstablished);
  EXPECT_EQ(r[1].server.state, S::kEstablished);
  EXPECT_EQ(r[1].id, 2u);
}

TEST_P(FlowTableTest, SequenceWraparound) {
  Script s(GetParam(), 0xFFFFFF00u, 0xFFFFFFF0u);
  s.Handshake();
  s.C(kAck | kPsh, 1, 1, 1000);  // crosses 2^32
  s.Srv(kAck, 1, 1001);
  s.C(kAck | kPsh, 1001, 1, 1000);
  s.C(kFin | kAck, 2001, 1);
  s.Srv(kFin | kAck, 1, 2002);
  s.C(kAck, 2002, 2);
  ConnectionRecord r = s.Only();
  EXPECT_EQ(r.client.payload_bytes, 2000u);
  EXPECT_EQ(r.client.state, S::kTimeWait);
  EXPECT_EQ(r.server.state, S::kClosed);
}

// end_reason is derived from the endpoints' steps: "reset" only when an
// accepted RST took an endpoint to CLOSED, never for a row split or an RST
// the receiver's later traffic disproved.
struct EndReasonCase {
  const char* name;
  void (*script)(Script&);
  EndReason first_record;  // the end reason of the 4-tuple's first record
};

const EndReasonCase kEndReasonCases[] = {
    {"AcceptedRst",
     [](Script& s) {
       s.Handshake();
       s.C(kRst | kAck, 1, 1);
     },
     EndReason::kReset},
    {"Refused",
     [](Script& s) {
       s.C(kSyn, 0, 0);
       s.Srv(kRst | kAck, 1, 1);
     },
     EndReason::kReset},
    {"RstOutOfWindowIgnored",
     [](Script& s) {
       s.Handshake();
       s.C(kRst | kAck, 90000, 1);  // not at RCV.NXT: not acceptable
       s.Srv(kAck | kPsh, 1, 1, 10);
     },
     EndReason::kCaptureEnd},
    {"RstLostAfterTapThenRowSplit",
     [](Script& s) {
       s.Handshake();
       s.C(kRst | kAck, 1, 1);
       s.Srv(kAck | kPsh, 1, 1, 10);  // the server never got the RST
       s.Wait(absl::Seconds(6));      // Zeek removes the connection
       s.Srv(kAck | kPsh, 11, 1, 10);
     },
     EndReason::kPortReuse},
    {"UnansweredSynRowSplit",
     [](Script& s) {
       s.C(kSyn, 0, 0);
       s.Wait(absl::Seconds(6));  // Zeek's attempt timer
       s.C(kSyn, 0, 0);
     },
     EndReason::kPortReuse},
    {"TimeWaitExpired",
     [](Script& s) {
       s.Handshake();
       s.C(kFin | kAck, 1, 1);
       s.Srv(kFin | kAck, 1, 2);
       s.C(kAck, 2, 2);
       s.Wait(absl::Seconds(61));
     },
     EndReason::kTimeWaitExpired},
    {"OpenAtCaptureEnd",
     [](Script& s) { s.Handshake(); },
     EndReason::kCaptureEnd},
};

void PrintTo(const EndReasonCase& c, std::ostream* os) { *os << c.name; }

class EndReasonTest
    : public testing::TestWithParam<std::tuple<EndReasonCase, bool>> {};

TEST_P(EndReasonTest, DerivedFromTheSteps) {
  const EndReasonCase& c = std::get<0>(GetParam());
  Script s(std::get<1>(GetParam()));
  c.script(s);
  std::vector<ConnectionRecord> r = s.Finish();
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(EndReasonName(r[0].end_reason), EndReasonName(c.first_record));
  for (const ConnectionRecord& rec : r) {
    if (rec.end_reason == EndReason::kReset) {
      EXPECT_GT(rec.client.rsts + rec.server.rsts, 0u);
      EXPECT_EQ(rec.client.state, S::kClosed);
      EXPECT_EQ(rec.server.state, S::kClosed);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EndReasonTest,
    testing::Combine(testing::ValuesIn(kEndReasonCases), testing::Bool()),
    [](const testing::TestParamInfo<std::tuple<EndReasonCase, bool>>& i) {
      return std::string(std::get<0>(i.param).name) +
             (std::get<1>(i.param) ? "_IPv6" : "_IPv4");
    });

INSTANTIATE_TEST_SUITE_P(IpVersions, FlowTableTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& i) {
                           return i.param ? "IPv6" : "IPv4";
                         });

}  // namespace
}  // namespace tcpstate
