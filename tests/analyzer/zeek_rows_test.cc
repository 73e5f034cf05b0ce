// Zeek compatibility through the flow table: when Zeek starts a new
// conn.log row on the same 4-tuple, and the conn_state/history the Zeek
// model gives for the shapes the conformance corpus exercises.
#include <memory>
#include <vector>

#include "analyzer/flow_table.h"
#include "tests/analyzer/segment_testutil.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kRst = TcpFlags::kRst;

class ZeekRows {
 public:
  ZeekRows() : table_(std::make_unique<FlowTable>(FlowTableOptions{})) {}

  // A segment after `gap`; seq/ack are absolute.
  void Send(bool from_client, uint16_t flags, uint32_t seq, uint32_t ack,
            uint32_t len = 0, absl::Duration gap = absl::Milliseconds(10)) {
    const TcpSegment s =
        MakeSegment(kPeers, from_client, flags, seq, ack, len, ++ip_id_);
    t_ += gap;
    table_->OnSegment(s, SegmentContext{++packet_, t_});
  }
  std::vector<ConnectionRecord> Rows() {
    table_->FlushAll(t_);
    return table_->TakeFinished();
  }

 private:
  const TestPeers kPeers{IpAddress::V4(0xC6120001), IpAddress::V4(0xC6120002),
                         40000, 22};
  std::unique_ptr<FlowTable> table_;
  absl::Time t_ = absl::FromUnixSeconds(1000000);
  uint64_t packet_ = 0;
  uint16_t ip_id_ = 0;
};

TEST(ZeekRowsTest, LoneRstsAMinuteApartAreOneRowEach) {
  ZeekRows z;
  for (int i = 0; i < 3; ++i) {
    z.Send(true, kRst, 777, 0, 0, absl::Seconds(60));
  }
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 3u);
  for (const ConnectionRecord& r : rows) {
    EXPECT_EQ(r.conn_state, "OTH");
    EXPECT_EQ(r.history, "R");
  }
}

TEST(ZeekRowsTest, RstsWithinTheCloseDelayStayInOneRow) {
  ZeekRows z;
  z.Send(true, kRst, 777, 0);
  z.Send(true, kRst, 777, 0, 0, absl::Seconds(4));
  EXPECT_EQ(z.Rows().size(), 1u);
}

TEST(ZeekRowsTest, RetriedSynAfterRejectIsANewRow) {
  ZeekRows z;
  for (int i = 0; i < 2; ++i) {
    z.Send(true, kSyn, 1000, 0, 0, absl::Milliseconds(500));
    z.Send(false, kRst | kAck, 0, 1001);
  }
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 2u);
  for (const ConnectionRecord& r : rows) {
    EXPECT_EQ(r.conn_state, "REJ");
    EXPECT_EQ(r.history, "Sr");
  }
}

TEST(ZeekRowsTest, UnansweredSynExpiresAfterTheAttemptDelay) {
  ZeekRows z;
  z.Send(true, kSyn, 1000, 0);
  z.Send(true, kAck, 1001, 5001);
  z.Send(true, kAck, 1001, 5001, 20);
  z.Send(true, kAck, 1021, 5001, 30, absl::Seconds(6));
  z.Send(true, kFin | kAck, 1051, 5001);
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].conn_state, "S0");
  EXPECT_EQ(rows[0].history, "SAD");
  EXPECT_EQ(rows[1].conn_state, "SH");
  EXPECT_EQ(rows[1].history, "DF");
}

TEST(ZeekRowsTest, ResponderRstBeforeSynAckIsARejection) {
  ZeekRows z;
  z.Send(true, kSyn, 1000, 0);
  z.Send(false, kRst | kAck, 0, 1000);
  z.Send(false, kSyn | kAck, 5000, 1001);
  z.Send(true, kAck, 1001, 5001);
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].conn_state, "REJ");
}

TEST(ZeekRowsTest, SynAckFirstThenAckIsEstablished) {
  ZeekRows z;
  z.Send(false, kSyn | kAck, 5000, 1001);
  z.Send(true, kAck, 1001, 5001);
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].conn_state, "S1");
  EXPECT_EQ(rows[0].history, "^hA");
}

TEST(ZeekRowsTest, MultiFlagPacketGivesOnlyQ) {
  ZeekRows z;
  z.Send(true, kSyn | kFin, 1000, 0);
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].history, "Q");
}

TEST(ZeekRowsTest, AckOverUnseenDataIsAGap) {
  ZeekRows z;
  z.Send(true, kSyn, 1000, 0);
  z.Send(false, kSyn | kAck, 5000, 1001);
  z.Send(true, kAck, 1001, 5001);
  z.Send(true, kAck, 1001, 5001, 100);
  z.Send(true, kAck, 1201, 5001, 100);  // 1101..1200 never captured
  z.Send(false, kAck, 5001, 1301);
  const std::vector<ConnectionRecord> rows = z.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].history, "ShADaG");
  EXPECT_EQ(rows[0].conn_state, "S1");
}

}  // namespace
}  // namespace tcpstate
