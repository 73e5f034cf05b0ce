#include "reports/zeek_report.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

TEST(ZeekReportTest, StringEscapes) {
  EXPECT_EQ(ZeekString("SF"), "SF");
  EXPECT_EQ(ZeekString(""), "(empty)");
  EXPECT_EQ(ZeekString("-"), "\\x2d");
  EXPECT_EQ(ZeekString("(empty)"), "\\x28empty)");
  EXPECT_EQ(ZeekString("a-b"), "a-b");
  EXPECT_EQ(ZeekString("a\tb\nc"), "a\\x09b\\x0ac");
  EXPECT_EQ(ZeekString("x,y\\z"), "x\\x2cy\\x5cz");
  EXPECT_EQ(ZeekString("\x1b[2J\x7f\xff"), "\\x1b[2J\\x7f\\xff");
}

TEST(ZeekReportTest, UidIsDeterministicAndDistinct) {
  const AnalysisResult r = testing_results::Sample();
  std::set<std::string> uids;
  for (const ConnectionRecord& c : r.connections) {
    const std::string uid = ZeekUid(c);
    EXPECT_EQ(uid, ZeekUid(c));
    ASSERT_EQ(uid.size(), 18u);
    EXPECT_EQ(uid[0], 'C');
    for (char ch : uid.substr(1)) {
      EXPECT_TRUE(absl::ascii_isalnum(static_cast<unsigned char>(ch))) << uid;
    }
    uids.insert(uid);
  }
  EXPECT_EQ(uids.size(), r.connections.size());
  ConnectionRecord other = r.connections[0];
  other.first_seen += absl::Seconds(1);
  EXPECT_NE(ZeekUid(other), ZeekUid(r.connections[0]));
}

TEST(ZeekReportTest, SampleMatchesGolden) {
  std::ostringstream os;
  WriteZeekConnLog(testing_results::Sample(), os);
  EXPECT_EQ(os.str(), testing_results::Golden("sample.zeek.log", os.str()));
}

// Reads the log as zeek-cut does: #separator, then #fields names the
// columns of every following row.
TEST(ZeekReportTest, HostileRowKeepsItsColumns) {
  std::ostringstream os;
  WriteZeekConnLog(testing_results::Hostile(), os);
  const std::string log = os.str();
  std::vector<std::string> lines = absl::StrSplit(log, '\n');
  ASSERT_EQ(lines.back(), "");
  lines.pop_back();
  ASSERT_EQ(lines[0], "#separator \\x09");
  std::vector<std::string> fields;
  size_t rows = 0;
  for (const std::string& line : lines) {
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (cells[0] == "#fields") {
      fields.assign(cells.begin() + 1, cells.end());
      continue;
    }
    if (line[0] == '#') {
      continue;
    }
    ++rows;
    ASSERT_EQ(cells.size(), fields.size()) << line;
    for (size_t i = 0; i < cells.size(); ++i) {
      EXPECT_TRUE(testing_results::IsPrintableAscii(cells[i])) << fields[i];
      if (fields[i] == "history") {
        EXPECT_EQ(cells[i].substr(0, 7), "q\"b\\x5c") << cells[i];
      }
    }
  }
  EXPECT_EQ(rows, 1u);
  // Zeek's 21, then handshake_rtt and each endpoint's state and possible
  // states, then each endpoint's data round trips (samples, min, avg, max).
  EXPECT_EQ(fields.size(), 34u);
}

TEST(ZeekReportTest, OpenAndCloseFromPacketTimes) {
  const AnalysisResult r = testing_results::Sample();
  std::ostringstream os;
  WriteZeekConnLog(r, os);
  const std::string open =
      absl::FormatTime("#open\t%Y-%m-%d-%H-%M-%S\n", *r.summary.first_packet_time,
                       absl::UTCTimeZone());
  const std::string close =
      absl::FormatTime("#close\t%Y-%m-%d-%H-%M-%S\n", *r.summary.last_packet_time,
                       absl::UTCTimeZone());
  EXPECT_NE(os.str().find(open), std::string::npos);
  EXPECT_EQ(os.str().substr(os.str().size() - close.size()), close);
}

TEST(ZeekReportTest, SinglePacketConnectionLeavesDurationUnset) {
  ConnectionRecord c = testing_results::SampleConnection();
  c.last_seen = c.first_seen;
  c.history = "";
  std::vector<std::string> cells = absl::StrSplit(ZeekConnRow(c), '\t');
  ASSERT_EQ(cells.size(), 34u);
  EXPECT_EQ(cells[8], "-");   // duration
  EXPECT_EQ(cells[9], "-");   // orig_bytes
  EXPECT_EQ(cells[10], "-");  // resp_bytes
  EXPECT_EQ(cells[15], "-");  // history: unset, as Zeek logs it
}

TEST(ZeekReportTest, HandshakeRttThenTheStates) {
  ConnectionRecord c = testing_results::SampleConnection();
  c.handshake_rtt = absl::Microseconds(1250);
  c.client.certainty = Certainty::kConfirmed;
  c.client.possible_states.clear();
  c.server.certainty = Certainty::kInferred;
  PossibleState a;
  a.state = TcpState::kFinWait1;
  PossibleState b;
  b.state = TcpState::kClosed;
  c.server.possible_states = {b, a};
  std::vector<std::string> cells = absl::StrSplit(ZeekConnRow(c), '\t');
  ASSERT_EQ(cells.size(), 34u);
  EXPECT_EQ(cells[21], "0.001250");
  EXPECT_EQ(cells[22], TcpStateName(c.client.state));
  EXPECT_EQ(cells[23], "(empty)");
  EXPECT_EQ(cells[24], absl::StrCat(TcpStateName(c.server.state), "?"));
  EXPECT_EQ(cells[25], "CLOSED,FIN_WAIT_1");
  // No round trip measured: zero samples, the times unset.
  EXPECT_EQ(cells[26], "0");
  EXPECT_EQ(cells[27], "-");
  EXPECT_EQ(cells[33], "-\n");
  c.server.rtt = {3, absl::Microseconds(20), absl::Microseconds(30),
                  absl::Microseconds(45), absl::Microseconds(5)};
  cells = absl::StrSplit(ZeekConnRow(c), '\t');
  EXPECT_EQ(cells[30], "3");
  EXPECT_EQ(cells[31], "0.000020000");
  EXPECT_EQ(cells[32], "0.000030000");
  EXPECT_EQ(cells[33], "0.000045000\n");
  c.handshake_rtt.reset();
  cells = absl::StrSplit(ZeekConnRow(c), '\t');
  EXPECT_EQ(cells[21], "-");
}

}  // namespace
}  // namespace tcpstate
