#include "tools/ci/ci_expect.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/ci/ci_testutil.h"

namespace tcpstate {
namespace {

using ::testing::HasSubstr;

std::vector<Expectation> Parse(const std::string& text) {
  absl::StatusOr<std::vector<Expectation>> parsed =
      ParseExpectations(text, "ci.expect");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : std::vector<Expectation>{};
}

std::string ParseError(const std::string& text) {
  absl::StatusOr<std::vector<Expectation>> parsed =
      ParseExpectations(text, "ci.expect");
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

TEST(ParseExpectationsTest, ReadsEveryForm) {
  const std::vector<Expectation> e = Parse(
      "# comment\n"
      "\n"
      "expect connections server.port=8080 client=TIME_WAIT server=CLOSED\n"
      "  expect no close_wait_stuck   # trailing comment\n"
      "expect at most 3 retransmission client.addr=10.0.0.1\n"
      "expect count client=ESTABLISHED|close_wait == 0\n"
      "expect count server.addr=[2001:db8:0::1] >= 2\n");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].type, ExpectationType::kConnections);
  EXPECT_EQ(e[0].line, 3);
  EXPECT_EQ(e[0].filter.server_port, 8080);
  EXPECT_EQ(e[0].filter.client_states,
            std::vector<TcpState>{TcpState::kTimeWait});
  EXPECT_EQ(e[0].filter.server_states,
            std::vector<TcpState>{TcpState::kClosed});
  EXPECT_EQ(e[1].type, ExpectationType::kNo);
  EXPECT_EQ(e[1].kind, "close_wait_stuck");
  EXPECT_EQ(e[1].text, "expect no close_wait_stuck");
  EXPECT_EQ(e[2].type, ExpectationType::kAtMost);
  EXPECT_EQ(e[2].limit, 3u);
  EXPECT_EQ(e[2].filter.client_addr, "10.0.0.1");
  EXPECT_EQ(e[3].type, ExpectationType::kCount);
  EXPECT_EQ(e[3].op, CountOp::kEq);
  EXPECT_EQ(e[3].filter.client_states,
            (std::vector<TcpState>{TcpState::kEstablished,
                                   TcpState::kCloseWait}));
  EXPECT_EQ(e[4].op, CountOp::kGe);
  EXPECT_EQ(e[4].limit, 2u);
  EXPECT_EQ(e[4].filter.server_addr, "2001:db8::1");  // canonical form
}

TEST(ParseExpectationsTest, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(ParseError("expect no close_wait_stuck\nexpect no bogus_kind\n"),
            "ci.expect:2:11: unknown anomaly kind 'bogus_kind' (see tcpstate "
            "--list-anomalies)");
  EXPECT_THAT(ParseError("  expct no refused"), HasSubstr("ci.expect:1:3: "));
  EXPECT_THAT(ParseError("expect connections server.port=8080 client=TIMEWAIT"),
              HasSubstr("ci.expect:1:44: unknown TCP state 'TIMEWAIT'"));
  EXPECT_THAT(ParseError("expect connections client=CLOSED|NOPE"),
              HasSubstr("ci.expect:1:34: unknown TCP state 'NOPE'"));
  EXPECT_THAT(ParseError("expect connections server.port=99999 client=CLOSED"),
              HasSubstr("ci.expect:1:32: bad port '99999'"));
  EXPECT_THAT(ParseError("expect connections server.port=8080"),
              HasSubstr("ci.expect:1:36: expected client=STATE"));
  EXPECT_THAT(ParseError("expect at least 3 retransmission"),
              HasSubstr("ci.expect:1:11: expected 'most'"));
  EXPECT_THAT(ParseError("expect at most many retransmission"),
              HasSubstr("ci.expect:1:16: expected a number"));
  EXPECT_THAT(ParseError("expect count client=ESTABLISHED = 0"),
              HasSubstr("ci.expect:1:33: expected 'OP N'"));
  EXPECT_THAT(ParseError("expect count client=ESTABLISHED == x"),
              HasSubstr("ci.expect:1:36: expected a number"));
  EXPECT_THAT(ParseError("expect count color=red == 1"),
              HasSubstr("ci.expect:1:14: unknown key 'color'"));
  EXPECT_THAT(ParseError("expect count server.addr=10.0.0.300 == 1"),
              HasSubstr("ci.expect:1:26: bad IP address"));
  EXPECT_THAT(ParseError("expect maybe"),
              HasSubstr("ci.expect:1:8: unknown expectation 'maybe'"));
  EXPECT_THAT(ParseError("expect"), HasSubstr("ci.expect:1:7: expected"));
  EXPECT_THAT(ParseError("# nothing\n\n"),
              HasSubstr("ci.expect:1:1: no expectations"));
}

std::vector<CheckResult> Evaluate(const std::string& text) {
  return EvaluateExpectations(ci_testing::Sample(), Parse(text));
}

TEST(EvaluateExpectationsTest, ConnectionStates) {
  std::vector<CheckResult> r = Evaluate(
      "expect connections server.port=8080 client=TIME_WAIT server=CLOSED\n"
      "expect connections server.port=8080 client=TIME_WAIT|FIN_WAIT_2\n"
      "expect connections server.port=1 client=CLOSED\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].failed);
  EXPECT_EQ(r[0].name,
            "line 1: expect connections server.port=8080 client=TIME_WAIT "
            "server=CLOSED");
  EXPECT_EQ(r[0].classname, "tcpstate.expect");
  EXPECT_EQ(r[0].message, "1 of 2 matching connections end in other states");
  EXPECT_EQ(r[0].details,
            std::vector<std::string>{
                "10.0.0.1:40001 -> 10.0.0.2:8080 (id 2): client FIN_WAIT_2, "
                "server CLOSE_WAIT, packets 20-25"});
  EXPECT_FALSE(r[1].failed);
  EXPECT_TRUE(r[2].failed);
  EXPECT_EQ(r[2].message, "no connection in the capture matches");
}

TEST(EvaluateExpectationsTest, PossibleStatesWithTilde) {
  AnalysisResult result = ci_testing::Sample();
  // Connection 3 (port 9090): the client ESTABLISHED, or FIN_WAIT_1.
  PossibleState p;
  p.state = TcpState::kFinWait1;
  p.reasons = {PossibleReason::kClosedBehindData};
  result.connections[2].client.possible_states = {p};
  const std::vector<CheckResult> r = EvaluateExpectations(
      result, Parse("expect connections server.port=9090 client~FIN_WAIT_1\n"
                    "expect connections server.port=9090 client=FIN_WAIT_1\n"
                    "expect connections server.port=9090 client~ESTABLISHED\n"
                    "expect count server~FIN_WAIT_1 == 0\n"
                    "expect count client~fin_wait_1|CLOSING == 1\n"));
  ASSERT_EQ(r.size(), 5u);
  EXPECT_FALSE(r[0].failed);  // possible
  EXPECT_TRUE(r[1].failed);   // not the reported state
  EXPECT_FALSE(r[2].failed);  // the reported state matches too
  EXPECT_FALSE(r[3].failed);
  EXPECT_FALSE(r[4].failed);
}

// States as ss and netstat print them, and tcpdump's "host A" / "port P"
// (either endpoint), as people copy them from their terminals.
TEST(EvaluateExpectationsTest, SsSpellingsAndTcpdumpTerms) {
  std::vector<CheckResult> r = Evaluate(
      "expect connections port 8080 client=TIME-WAIT|fin-wait2 "
      "server=CLOSE|close-wait\n"
      "expect connections port 9090 client=ESTAB server=estab\n"
      "expect count host 10.0.0.2 == 3\n"
      "expect count port 40001 server=CLOSE-WAIT == 1\n"
      "expect count host 10.0.0.9 == 0\n"
      "expect count host 10.0.0.1 port 9090 client=SYN-RECV|FIN_WAIT1 == 0\n"
      "expect no close_wait_stuck port 9090\n");
  ASSERT_EQ(r.size(), 7u);
  for (const CheckResult& c : r) {
    EXPECT_FALSE(c.failed) << c.name << ": " << c.message;
  }
  r = Evaluate("expect count port 8080 == 3\n");  // 2, not 3: can fail
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].failed);
  EXPECT_THAT(ParseError("expect count host == 1\n"),
              HasSubstr("ci.expect:1:14: 'host' needs a value"));
  EXPECT_THAT(ParseError("expect count port http == 1\n"),
              HasSubstr("bad port 'http'"));
  EXPECT_THAT(ParseError("expect connections port 80 client=ESTABLISHED2\n"),
              HasSubstr("ss spellings such as ESTAB"));
}

TEST(EvaluateExpectationsTest, KindsAndCounts) {
  std::vector<CheckResult> r = Evaluate(
      "expect no close_wait_stuck\n"
      "expect no close_wait_stuck server.port=9090\n"
      "expect at most 4 retransmission\n"
      "expect at most 3 retransmission\n"
      "expect no syn_flood\n"
      "expect no syn_flood server.port=8080\n"
      "expect count client=ESTABLISHED == 0\n"
      "expect count server.port=8080 == 2\n");
  ASSERT_EQ(r.size(), 8u);
  EXPECT_TRUE(r[0].failed);
  EXPECT_EQ(r[0].type, "close_wait_stuck");
  EXPECT_EQ(r[0].message, "found 1 close_wait_stuck");
  ASSERT_EQ(r[0].details.size(), 1u);
  EXPECT_EQ(r[0].details[0],
            "10.0.0.1:40001 -> 10.0.0.2:8080 (id 2): close_wait_stuck "
            "(server) packets 22,23: detail of close_wait_stuck");
  EXPECT_FALSE(r[1].failed);
  EXPECT_FALSE(r[2].failed);
  EXPECT_TRUE(r[3].failed);
  EXPECT_EQ(r[3].message, "found 4 retransmission, more than 3");
  EXPECT_TRUE(r[4].failed);  // host-level
  EXPECT_THAT(r[4].details[0], HasSubstr("host syn_flood (10.0.0.2)"));
  EXPECT_FALSE(r[5].failed);  // a selector: connections only
  EXPECT_TRUE(r[6].failed);
  EXPECT_EQ(r[6].message, "1 connections match; expected == 0");
  EXPECT_THAT(r[6].details[0], HasSubstr("(id 3)"));
  EXPECT_FALSE(r[7].failed);
}

}  // namespace
}  // namespace tcpstate
