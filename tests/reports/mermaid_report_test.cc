#include "reports/mermaid_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

TEST(MermaidReportTest, TextEscapes) {
  EXPECT_EQ(MermaidText("client 198.18.0.1:40000"), "client 198.18.0.1:40000");
  EXPECT_EQ(MermaidText("[2001:db8::1]:80"), "[2001:db8::1]:80");
  EXPECT_EQ(MermaidText("a#b;c"), "a#35;b#59;c");
  EXPECT_EQ(MermaidText("<script>"), "#60;script#62;");
  EXPECT_EQ(MermaidText("\"'&%"), "#34;#39;#38;#37;");
  EXPECT_EQ(MermaidText("x\ny"), "x#10;y");
  EXPECT_EQ(MermaidText("\xc3\xa9"), "#233;");
  EXPECT_EQ(MermaidText("\xff"), "#65533;");
}

TEST(MermaidReportTest, FlagNames) {
  EXPECT_EQ(LadderFlagNames(0x02), "SYN");
  EXPECT_EQ(LadderFlagNames(0x12), "SYN, ACK");
  EXPECT_EQ(LadderFlagNames(0x19), "FIN, PSH, ACK");
  EXPECT_EQ(LadderFlagNames(0), "none");
}

TEST(MermaidReportTest, ScriptedLadderMatchesGolden) {
  const AnalysisResult r = testing_results::Sample();
  const std::string actual =
      RenderMermaid(r, testing_results::ScriptedLadderConnection());
  EXPECT_EQ(actual, testing_results::Golden("scripted.mmd", actual));
}

TEST(MermaidReportTest, LinesInOrder) {
  const std::string out = RenderMermaid(
      testing_results::Sample(), testing_results::ScriptedLadderConnection());
  std::vector<std::string> lines = absl::StrSplit(out, '\n');
  auto index_of = [&](const std::string& line) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] == line) {
        return static_cast<int>(i);
      }
    }
    ADD_FAILURE() << "missing: " << line;
    return -1;
  };
  EXPECT_EQ(lines[0], "sequenceDiagram");
  const int syn = index_of("    Client->>Server: #35;1 SYN seq=0 ack=0 len=0");
  const int syn_sent = index_of("    Note left of Client: SYN_SENT");
  const int fold = index_of(
      "    Note over Client,Server: ... 36 segments folded ...");
  const int close_wait = index_of("    Note right of Server: CLOSE_WAIT");
  const int lost = index_of(
      "    Client-xServer: #35;40 PSH, ACK seq=901 ack=1 len=100 (lost after "
      "the capture point)");
  const int dup = index_of(
      "    Client-->>Server: #35;50 FIN, ACK seq=1001 ack=1 len=0");
  const int timer = index_of("    Note right of Server: CLOSED (timer)");
  EXPECT_LT(syn, syn_sent);
  EXPECT_LT(syn_sent, fold);
  // CLOSE_WAIT came at folded packet 20: after the fold, before packet 40.
  EXPECT_LT(fold, close_wait);
  EXPECT_LT(close_wait, lost);
  EXPECT_LT(lost, dup);
  EXPECT_LT(dup, timer);
  EXPECT_NE(out.find("#35;41 PSH, ACK seq=901 ack=1 len=100 (retransmission)"),
            std::string::npos);
}

TEST(MermaidReportTest, HandshakeRttNoteOnlyWhenKnown) {
  const AnalysisResult r = testing_results::Sample();
  ConnectionRecord c = testing_results::ScriptedLadderConnection();
  c.handshake_rtt = absl::Microseconds(41);
  EXPECT_NE(RenderMermaid(r, c).find(
                "    Note over Client,Server: handshake RTT 0.000041s"),
            std::string::npos);
  c.handshake_rtt.reset();
  EXPECT_EQ(RenderMermaid(r, c).find("handshake RTT"), std::string::npos);
}

TEST(MermaidReportTest, HostileStringsAreEntities) {
  const AnalysisResult r = testing_results::Hostile();
  const std::string out = RenderMermaid(r, r.connections[0]);
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    // Only our own '#' (entities) and ';' (their ends) appear.
    EXPECT_TRUE(testing_results::IsPrintableAscii(line)) << line;
    EXPECT_EQ(line.find_first_of("<>\"%"), absl::string_view::npos) << line;
  }
  EXPECT_NE(out.find("#60;/script#62;"), std::string::npos) << out;
}

}  // namespace
}  // namespace tcpstate
