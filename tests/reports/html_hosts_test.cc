// The HTML report's hosts section: SYN floods with sources, rate and time;
// predictable ISNs with the prediction and a plot of their samples (also
// when the increments wrap past 2^32); one line for the other hosts.

#include <string>

#include "absl/strings/str_cat.h"
#include "analyzer/anomaly_catalogue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reports/result_testutil.h"
#include "reports/html_parts.h"

namespace tcpstate {
namespace {

using testing_results::Count;

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// A flooded host, a host with ISNs 64000 apart starting just below 2^32,
// and a host with random ISNs; `v6` picks the address family.
AnalysisResult Hosts(bool v6) {
  auto addr = [v6](uint8_t last) {
    if (!v6) {
      return IpAddress::V4(0xC6120000u | last);
    }
    std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[15] = last;
    return IpAddress::FromBytes(b);
  };
  AnalysisResult r;
  r.summary.first_packet_time = kT0;
  r.summary.last_packet_time = kT0 + absl::Seconds(10);
  HostRecord flooded;
  flooded.addr = addr(2);
  Anomaly a;
  a.kind = InfoOf(AnomalyKind::kSynFlood).id;
  a.severity = InfoOf(AnomalyKind::kSynFlood).severity;
  a.endpoint = flooded.addr.ToString();
  a.t = kT0 + absl::Seconds(1);
  a.duration = absl::Seconds(2);
  a.count = 5000;
  a.detail = "5000 handshakes ... from about 37,600 distinct sources";
  flooded.anomalies.push_back(a);
  HostRecord fixed;
  fixed.addr = addr(3);
  HostIsn isn;
  isn.samples = 6;
  isn.enough = true;
  isn.isn_class = "fixed_increment";
  isn.predictable = true;
  isn.difficulty = "Trivial joke";
  isn.gcd = 64000;
  isn.next_predicted = 4294967000u + 6 * 64000;
  isn.check = IsnCheck{16, 4294967000u + 5 * 64000, 4294967000u + 5 * 64000};
  for (uint64_t i = 0; i < 6; ++i) {
    ConnectionRecord c;
    c.id = i + 1;
    c.client.addr = addr(9);
    c.server.addr = fixed.addr;
    c.server.isn = static_cast<uint32_t>(4294967000u + i * 64000);
    c.server.isn_packet = 2 + 3 * i;
    c.server.isn_time = kT0 + absl::Seconds(static_cast<int64_t>(i));
    isn.evidence.push_back(c.server.isn_packet);
    r.connections.push_back(c);
  }
  fixed.isn = isn;
  HostRecord random;
  random.addr = addr(9);
  random.isn = HostIsn();
  random.isn->enough = true;
  random.isn->isn_class = "random";
  r.hosts = {flooded, fixed, random};
  return r;
}

class HostsSectionTest : public testing::TestWithParam<bool> {};

TEST_P(HostsSectionTest, FloodsPredictionsAndTheRest) {
  const AnalysisResult r = Hosts(GetParam());
  const std::string html = html_internal::HostsSection(r);
  // The flood: host, start, length, count, rate and the sources sentence.
  EXPECT_THAT(html, HasSubstr("<table class=\"plain\" id=\"syn-floods\">"));
  EXPECT_THAT(html, HasSubstr(absl::StrCat("<td>", r.hosts[0].addr.ToString(),
                                           "</td><td>+1.00s</td><td>2.00s</td>"
                                           "<td class=\"num\">5000</td>"
                                           "<td class=\"num\">2500/s</td>")));
  EXPECT_THAT(html, HasSubstr("from about 37,600 distinct sources"));
  // The predictable host: the sentence and its six samples, drawn as one
  // rising line although the ISNs wrap past 2^32.
  EXPECT_THAT(html, HasSubstr("The next ISN is predicted as <b>383704</b>."));
  EXPECT_THAT(html, HasSubstr("predicted as 319704 from the earlier ones, "
                              "observed 319704 (exact)."));
  EXPECT_THAT(html, HasSubstr("data-samples=\"6\""));
  EXPECT_EQ(Count(html, "<circle class=\"pt\""), 6u);
  EXPECT_THAT(html, HasSubstr("cx=\"92\" cy=\"186\""));   // first: lowest
  EXPECT_THAT(html, HasSubstr("cx=\"356\" cy=\"16\""));   // last (5 s of 10): highest
  EXPECT_THAT(html, HasSubstr(">+0</text>"));
  EXPECT_THAT(html, HasSubstr(">+10s</text>"));
  // The random host: one line.
  EXPECT_THAT(html, HasSubstr("Other hosts: 1 host chose ISNs that are not "
                              "predictable (1 random)."));
  EXPECT_THAT(html, Not(HasSubstr("hosts-none")));
}

TEST_P(HostsSectionTest, SaysWhenNoHostHasAFinding) {
  AnalysisResult r = Hosts(GetParam());
  r.hosts.erase(r.hosts.begin(), r.hosts.begin() + 2);
  const std::string html = html_internal::HostsSection(r);
  EXPECT_THAT(html, HasSubstr("id=\"hosts-none\""));
  EXPECT_THAT(html, Not(HasSubstr("syn-floods")));
  EXPECT_THAT(html, HasSubstr("1 host chose ISNs that are not predictable"));
}

INSTANTIATE_TEST_SUITE_P(IpVersions, HostsSectionTest, testing::Bool());

}  // namespace
}  // namespace tcpstate
