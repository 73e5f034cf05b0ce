// The text report's "Anomalies" section: grouped by kind, the worst
// severity first, then in catalogue order; totals, the worst three
// examples, host-level findings, escaping.

#include <string>

#include "analyzer/anomaly_catalogue.h"
#include "gtest/gtest.h"
#include "reports/text_report.h"

namespace tcpstate {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Anomaly Make(AnomalyKind kind, const std::string& endpoint, uint64_t count,
             absl::Duration duration, const std::string& detail) {
  Anomaly a;
  a.kind = InfoOf(kind).id;
  a.severity = InfoOf(kind).severity;
  a.endpoint = endpoint;
  a.t = kT0;
  a.duration = duration;
  a.count = count;
  a.detail = detail;
  return a;
}

ConnectionRecord Conn(uint64_t id, std::vector<Anomaly> anomalies) {
  ConnectionRecord c;
  c.id = id;
  c.first_seen = kT0;
  c.last_seen = kT0 + absl::Seconds(1);
  c.client.addr = IpAddress::V4(0xC6120001);
  c.client.port = static_cast<uint16_t>(40000 + id);
  c.server.addr = IpAddress::V4(0xC6120002);
  c.server.port = 8000;
  c.anomalies = std::move(anomalies);
  return c;
}

// The part of the report from "Anomalies" to the connection table.
std::string Section(const AnalysisResult& result) {
  const std::string text = RenderText(result, {});
  const size_t begin = text.find("\nAnomalies\n");
  size_t end = text.find("\nConnections");
  if (end == std::string::npos) {
    end = text.find("\nNo TCP connections");
  }
  if (begin == std::string::npos || end == std::string::npos) {
    return "<no section>";
  }
  return text.substr(begin + 1, end - begin - 1);
}

AnalysisResult Mixed() {
  using K = AnomalyKind;
  const absl::Duration s = absl::Seconds(1);
  AnalysisResult r;
  r.connections = {
      Conn(1, {Make(K::kRetransmission, "client", 2, 5 * s, "r1"),
               Make(K::kCloseWaitStuck, "server", 1, 90 * s, "cw1")}),
      Conn(2, {Make(K::kRetransmission, "server", 7, s, "r2")}),
      Conn(3, {Make(K::kRetransmission, "client", 2, 9 * s, "r3")}),
      Conn(4, {Make(K::kRetransmission, "server", 2, 9 * s, "r4"),
               Make(K::kRetransmission, "client", 1, 0 * s, "r5")}),
  };
  Anomaly flood =
      Make(K::kSynFlood, "198.18.0.2", 300, 4 * s, "flood of 198.18.0.2");
  r.anomalies = {flood};
  r.hosts = {{IpAddress::V4(0xC6120002), {flood}, std::nullopt}};
  return r;
}

TEST(TextAnomaliesTest, GroupedByKindWorstSeverityFirst) {
  EXPECT_EQ(
      Section(Mixed()),
      "Anomalies\n"
      "  syn_flood  error  300 in all, in 1 host\n"
      "    syn_flood  error  host 198.18.0.2  300×\n"
      "      flood of 198.18.0.2\n"
      "  close_wait_stuck  warning  1 in all, in 1 connection\n"
      "    close_wait_stuck  warning  server 198.18.0.2:8000  (conn 1)\n"
      "      cw1\n"
      "  retransmission  warning  14 in all, in 4 connections\n"
      "    retransmission  warning  server 198.18.0.2:8000  (conn 2)  7×\n"
      "      r2\n"
      "    retransmission  warning  client 198.18.0.1:40003  (conn 3)  2×\n"
      "      r3\n"
      "    retransmission  warning  server 198.18.0.2:8000  (conn 4)  2×\n"
      "      r4\n"
      "    and 2 more records of this kind\n");
}

TEST(TextAnomaliesTest, PerConnectionMarkersStay) {
  const std::string text = RenderText(Mixed(), {});
  EXPECT_NE(text.find("    ! warning close_wait_stuck (server; over "),
            std::string::npos);
  EXPECT_GT(text.find("! warning close_wait_stuck"),
            text.find("\nConnections"));
}

TEST(TextAnomaliesTest, HostRecordsAddOnlyWhatTheListLacks) {
  AnalysisResult r = Mixed();
  Anomaly other = r.anomalies[0];
  other.endpoint = "198.18.0.7";
  other.count = 1;
  r.hosts.push_back({IpAddress::V4(0xC6120007), {other}, std::nullopt});
  const std::string section = Section(r);
  EXPECT_NE(section.find("  syn_flood  error  301 in all, in 2 hosts\n"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("    syn_flood  error  host 198.18.0.7\n"),
            std::string::npos);
}

TEST(TextAnomaliesTest, UnknownKindsByTheirSeverityThenName) {
  AnalysisResult r;
  Anomaly b =
      Make(AnomalyKind::kRefused, "client", 1, absl::ZeroDuration(), "");
  b.kind = "zzz_later";
  Anomaly a = b;
  a.kind = "aaa_later";
  a.severity = Severity::kError;
  r.connections = {Conn(1, {b, a,
                            Make(AnomalyKind::kDuplicatePacket, "server", 1,
                                 absl::ZeroDuration(), "")})};
  EXPECT_EQ(Section(r),
            "Anomalies\n"
            "  aaa_later  error  1 in all, in 1 connection\n"
            "    aaa_later  error  client 198.18.0.1:40001  (conn 1)\n"
            "  zzz_later  warning  1 in all, in 1 connection\n"
            "    zzz_later  warning  client 198.18.0.1:40001  (conn 1)\n"
            "  duplicate_packet  info  1 in all, in 1 connection\n"
            "    duplicate_packet  info  server 198.18.0.2:8000  (conn 1)\n");
}

TEST(TextAnomaliesTest, NoneWhenConnectionsHaveNoAnomalies) {
  AnalysisResult r;
  r.connections = {Conn(1, {})};
  EXPECT_EQ(Section(r), "Anomalies\n  none\n");
  EXPECT_EQ(RenderText(AnalysisResult(), {}).find("Anomalies"),
            std::string::npos);
}

TEST(TextAnomaliesTest, StringsFromOutsideAreEscaped) {
  AnalysisResult r = Mixed();
  r.anomalies[0].endpoint = "\x1b[2J\xff";
  r.anomalies[0].detail = "bad\x07";
  r.connections[0].anomalies[1].kind = "k\x1b";
  const std::string section = Section(r);
  for (char c : section) {
    const unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n') << "raw control byte " << int{u};
  }
  EXPECT_NE(section.find("host \\x1b[2J\xef\xbf\xbd"), std::string::npos);
  EXPECT_NE(section.find("      bad\\x07\n"), std::string::npos);
  EXPECT_NE(section.find("  k\\x1b  warning"), std::string::npos);
}

TEST(TextAnomaliesTest, Deterministic) {
  EXPECT_EQ(RenderText(Mixed(), {true}), RenderText(Mixed(), {true}));
}

}  // namespace
}  // namespace tcpstate
