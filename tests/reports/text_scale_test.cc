// The text report stays readable at 100 k connections: bounded, the
// summary first, flagged connections first, few host lines.

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/anomaly_catalogue.h"
#include "gtest/gtest.h"
#include "reports/text_report.h"

namespace tcpstate {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Anomaly Flag(AnomalyKind kind, const std::string& endpoint) {
  Anomaly a;
  a.kind = InfoOf(kind).id;
  a.severity = InfoOf(kind).severity;
  a.endpoint = endpoint;
  a.t = kT0;
  a.count = 1;
  a.detail = "one sentence a person understands";
  return a;
}

// 100,000 connections (every seventh flagged, some with possible states)
// between 700 hosts that all chose ISNs, 5 of them predictably.
AnalysisResult Big() {
  AnalysisResult r;
  r.summary.connections = 100000;
  for (uint64_t id = 1; id <= 100000; ++id) {
    ConnectionRecord c;
    c.id = id;
    c.first_seen = kT0;
    c.last_seen = kT0 + absl::Milliseconds(id % 5000);
    c.handshake_rtt = absl::Microseconds(40);
    c.client.addr = IpAddress::V4(0xC6120000 + static_cast<uint32_t>(id % 700));
    c.client.port = static_cast<uint16_t>(1024 + id % 60000);
    c.server.addr = IpAddress::V4(0xC6130001);
    c.server.port = 443;
    c.client.state = TcpState::kTimeWait;
    c.server.state = TcpState::kClosed;
    c.client.certainty = Certainty::kConfirmed;
    c.server.certainty = Certainty::kInferred;
    c.client.packets = 12;
    c.server.packets = 10;
    c.client.payload_bytes = 1200;
    c.server.payload_bytes = 250000;
    c.conn_state = "SF";
    c.history = "ShADadFf";
    if (id % 7 == 0) {
      c.anomalies.push_back(Flag(AnomalyKind::kRetransmission, "client"));
      PossibleState p;
      p.state = TcpState::kLastAck;
      p.reasons = {PossibleReason::kReceiptLost};
      p.packet = 9;
      c.server.possible_states = {p};
    }
    if (id % 1000 == 0) {
      c.anomalies.push_back(Flag(AnomalyKind::kRstTeardown, "server"));
    }
    r.connections.push_back(std::move(c));
  }
  for (uint32_t h = 0; h < 700; ++h) {
    HostRecord host;
    host.addr = IpAddress::V4(0xC6120000 + h);
    HostIsn isn;
    isn.samples = 140;
    isn.enough = true;
    isn.isn_class = h < 5 ? "fixed_increment" : "random";
    isn.predictable = h < 5;
    isn.difficulty = h < 5 ? "Trivial joke" : "Good luck!";
    host.isn = isn;
    r.hosts.push_back(host);
  }
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// The first line that starts with `s`.
size_t IndexOf(const std::vector<std::string>& lines, const std::string& s) {
  return static_cast<size_t>(
      std::find_if(lines.begin(), lines.end(),
                   [&](const std::string& l) { return l.rfind(s, 0) == 0; }) -
      lines.begin());
}

TEST(TextScaleTest, BoundedWithTheSummaryFirst) {
  const AnalysisResult r = Big();
  const std::vector<std::string> lines = Lines(RenderText(r, {}));
  EXPECT_LE(lines.size(), 200u);
  EXPECT_EQ(lines[0], "Summary");
  EXPECT_LT(IndexOf(lines, "Anomalies"), 60u);
  // The flagged connections come first: rst_teardown (error) ones first.
  const size_t table = IndexOf(lines, "Connections (");
  ASSERT_LT(table, lines.size()) << "no table header";
  const size_t hosts = IndexOf(lines, "Hosts");
  ASSERT_LT(hosts, lines.size());
  EXPECT_LE(lines.size() - hosts - 1, 10u) << "per-host lines";
  bool more = false;
  for (const std::string& l : lines) {
    more = more || l.find(" more connections (") != std::string::npos;
    if (l.find("  198.19.0.1:443  ") != std::string::npos) {  // a row
      // Display width: "→" and "µ" take one column each.
      size_t width = 0;
      for (unsigned char ch : l) {
        width += (ch & 0xC0) != 0x80;
      }
      EXPECT_LE(width, 120u) << l;
    }
  }
  EXPECT_TRUE(more);
}

TEST(TextScaleTest, FlaggedFirstAndTheRestCounted) {
  const std::vector<std::string> lines = Lines(RenderText(Big(), {}));
  const size_t table = IndexOf(lines, "Connections (");
  ASSERT_LT(table + 2, lines.size());
  // After the header: the flagged connections by severity, then id (7,
  // 14, ...), each with its possible state and anomaly below it.
  std::istringstream row(lines[table + 2]);
  uint64_t id = 0;
  row >> id;
  EXPECT_EQ(id, 7u) << lines[table + 2];
  std::istringstream next(lines[table + 5]);
  next >> id;
  EXPECT_EQ(id, 14u) << lines[table + 5];
  const std::string text = RenderText(Big(), {});
  EXPECT_NE(text.find("other 695 hosts: ISNs not predictable (695 random)"),
            std::string::npos);
  EXPECT_NE(text.find("fixed_increment, PREDICTABLE"), std::string::npos);
}

TEST(TextScaleTest, RowsAllAndSummaryOnly) {
  const AnalysisResult r = Big();
  TextOptions all;
  all.max_rows = kAllRows;
  all.max_table_lines = kAllRows;
  const std::string every = RenderText(r, all);
  EXPECT_EQ(every.find(" more connections ("), std::string::npos);
  EXPECT_NE(every.find("\n100000  "), std::string::npos);
  TextOptions few;
  few.max_rows = 3;
  few.max_table_lines = kAllRows;
  const std::string three = RenderText(r, few);
  EXPECT_NE(three.find("(3 of 100000, flagged first)"), std::string::npos);
  TextOptions summary;
  summary.summary_only = true;
  const std::string s = RenderText(r, summary);
  EXPECT_EQ(s.find("Connections"), std::string::npos);
  EXPECT_NE(s.find("Anomalies"), std::string::npos);
  EXPECT_LT(Lines(s).size(), 40u);
}

}  // namespace
}  // namespace tcpstate
