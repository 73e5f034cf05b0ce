#include "reports/mermaid_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "analyzer/anomaly_catalogue.h"
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

// A handshake, a folded run, a lost segment, a duplicate and a close.
ConnectionRecord Scripted() {
  ConnectionRecord c = testing_results::Sample().connections[0];
  Ladder l;
  auto seg = [](uint64_t packet, bool client, uint8_t flags, uint32_t seq,
                uint32_t ack, uint32_t len) {
    LadderSegment s;
    s.packet = packet;
    s.from_client = client;
    s.flags = flags;
    s.rel_seq = seq;
    s.rel_ack = ack;
    s.len = len;
    return s;
  };
  l.segments = {seg(1, true, 0x02, 0, 0, 0), seg(2, false, 0x12, 0, 1, 0),
                seg(3, true, 0x10, 1, 1, 0), seg(40, true, 0x18, 901, 1, 100),
                seg(41, true, 0x18, 901, 1, 100), seg(50, true, 0x11, 1001, 1, 0),
                seg(51, false, 0x10, 1, 1002, 0)};
  l.segments[3].lost_after_tap = true;
  l.segments[4].anomaly_kinds =
      1u << static_cast<unsigned>(AnomalyKind::kRetransmission);
  l.segments[5].duplicate = true;
  l.folds = {{2, 36}, {4, 8}};
  l.total = 51;
  c.ladder = l;
  c.client.timeline = {{absl::Time(), 1, TcpState::kSynSent},
                       {absl::Time(), 3, TcpState::kEstablished},
                       {absl::Time(), 50, TcpState::kFinWait1},
                       {absl::Time(), 51, TcpState::kFinWait2}};
  c.server.timeline = {{absl::Time(), 1, TcpState::kSynReceived},
                       {absl::Time(), 3, TcpState::kEstablished},
                       {absl::Time(), 20, TcpState::kCloseWait},
                       {absl::Time(), 0, TcpState::kClosed}};
  return c;
}

TEST(MermaidReportTest, ScriptedLadderMatchesGolden) {
  const AnalysisResult r = testing_results::Sample();
  const std::string actual = RenderMermaid(r, Scripted());
  EXPECT_EQ(actual, testing_results::Golden("scripted.mmd", actual));
}

TEST(MermaidReportTest, LinesInOrder) {
  const std::string out =
      RenderMermaid(testing_results::Sample(), Scripted());
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
  ConnectionRecord c = Scripted();
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
    for (size_t i = 0; i < line.size(); ++i) {
      const unsigned char ch = static_cast<unsigned char>(line[i]);
      EXPECT_TRUE(ch >= 0x20 && ch < 0x7f) << line;
      EXPECT_TRUE(ch != '<' && ch != '>' && ch != '"' && ch != '%') << line;
    }
  }
  EXPECT_NE(out.find("#60;/script#62;"), std::string::npos) << out;
}

}  // namespace
}  // namespace tcpstate
