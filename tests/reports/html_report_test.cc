#include "reports/html_report.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ci/ci_json.h"
#include "reports/escape.h"
#include "reports/html_parts.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

using testing_results::Count;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The text of the JSON data island.
std::string DataIsland(const std::string& html) {
  const std::string open =
      "<script type=\"application/json\" id=\"conn-data\">";
  const size_t start = html.find(open);
  if (start == std::string::npos) {
    return "";
  }
  const size_t body = start + open.size();
  return html.substr(body, html.find("</script>", body) - body);
}

// The golden holds the page without the inlined style sheet and scripts
// (testing_results::WithoutInlineAssets); InlinesTheStyleSheetAndScripts
// checks those.
TEST(HtmlReportTest, MatchesGoldenFile) {
  const std::string actual = testing_results::WithoutInlineAssets(
      RenderHtml(testing_results::SampleWithLadders(), {}));
  EXPECT_EQ(actual, testing_results::Golden("sample.html", actual));
}

TEST(HtmlReportTest, InlinesTheStyleSheetAndScripts) {
  using html_internal::ErrorTrapScript;
  using html_internal::ReportCss;
  using html_internal::ReportScript;
  const std::string html = RenderHtml(testing_results::SampleWithLadders(), {});
  EXPECT_THAT(html, HasSubstr(absl::StrCat("\n<style>\n", ReportCss(),
                                           "</style>\n</head>\n")));
  EXPECT_THAT(html,
              HasSubstr(absl::StrCat("<pre id=\"js-errors\"></pre>\n<script>\n",
                                     ErrorTrapScript(), "</script>\n")));
  EXPECT_THAT(html,
              HasSubstr(absl::StrCat("</script>\n<script>\n", ReportScript(),
                                     "</script>\n<section id=\"diagrams\">")));
  EXPECT_EQ(Count(html, "<style>"), 1u);
  EXPECT_EQ(Count(html, "<script>"), 2u);
  // Not emptied either (a page without its script would still pass above).
  for (absl::string_view asset :
       {ReportCss(), ErrorTrapScript(), ReportScript()}) {
    EXPECT_GT(asset.size(), 100u);
  }
}

TEST(HtmlReportTest, RenderingTwiceIsIdentical) {
  EXPECT_EQ(RenderHtml(testing_results::SampleWithLadders(), {}),
            RenderHtml(testing_results::SampleWithLadders(), {}));
}

TEST(HtmlReportTest, SelfContained) {
  const std::string html = RenderHtml(testing_results::SampleWithLadders(), {});
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("https:")));
  EXPECT_EQ(Count(html, "http:"), Count(html, "http://www.w3.org/2000/svg"));
}

TEST(HtmlReportTest, SummaryParts) {
  const std::string html = RenderHtml(testing_results::Sample(), {});
  EXPECT_THAT(html, HasSubstr("<dt>first packet</dt><dd>2023-11-14 "
                              "22:13:20.250000 UTC</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>capture span</dt><dd>12.500000 s</dd>"));
  // State pairs, anomalies by kind (connection and host), decode counters.
  EXPECT_THAT(html, HasSubstr("CLOSE_WAIT</span></td><td><span class=\"pill "
                              "st-FIN_WAIT_1\">FIN_WAIT_1</span></td><td>1"));
  EXPECT_THAT(html, HasSubstr("<td>fin_retransmitted_after_ack</td><td><span "
                              "class=\"sev sev-warning\">warning</span></td>"
                              "<td>1</td><td>4</td>"));
  EXPECT_THAT(html, HasSubstr("<td>syn_to_many_ports</td>"));
  EXPECT_THAT(html, HasSubstr("<td>non_ip</td><td>2</td>"));
  EXPECT_THAT(html, HasSubstr("<td>b.pcapng</td><td>LINUX_SLL2</td>"));
  EXPECT_THAT(html, Not(HasSubstr("id=\"input-error\"")));
}

TEST(HtmlReportTest, DamagedInputShowsTheError) {
  const std::string html = RenderHtml(testing_results::Damaged(), {});
  EXPECT_THAT(html, HasSubstr("<p class=\"error\" id=\"input-error\">Input "
                              "stopped: cut.pcap: record 1 at byte 24: "
                              "truncated record header"));
}

TEST(HtmlReportTest, LiveCaptureStatisticsAndDrops) {
  AnalysisResult result = testing_results::Sample();
  EXPECT_THAT(RenderHtml(result, {}), Not(HasSubstr("id=\"live-capture\"")));
  result.live = testing_results::Live("<eth0>", 900, 0, 0);
  const std::string complete = RenderHtml(result, {});
  EXPECT_THAT(complete, HasSubstr("<dt>interface</dt><dd>&lt;eth0&gt;</dd>"));
  EXPECT_THAT(complete, HasSubstr("<dt>received</dt><dd>900</dd>"));
  EXPECT_THAT(complete, Not(HasSubstr("id=\"live-incomplete\"")));
  result.live->dropped_by_interface = 4;
  const std::string dropped = RenderHtml(result, {});
  EXPECT_THAT(dropped,
              HasSubstr("<dt>dropped by the interface</dt><dd>4</dd>"));
  EXPECT_THAT(dropped, HasSubstr("<p class=\"error\" id=\"live-incomplete\">"));
}

TEST(HtmlReportTest, EmptyResultStillRenders) {
  const std::string html = RenderHtml(testing_results::Empty(), {});
  EXPECT_THAT(html, HasSubstr("<dt>first packet</dt><dd>-</dd>"));
  EXPECT_THAT(html, HasSubstr("data-bars=\"0\""));
  EXPECT_THAT(DataIsland(html), HasSubstr("\"rows\":[\n],\"strings\":[]}"));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
}

TEST(HtmlReportTest, DataIslandHasOneRowPerConnection) {
  const std::string html = RenderHtml(testing_results::SampleWithLadders(), {});
  absl::StatusOr<JsonValue> json = ParseJson(DataIsland(html));
  ASSERT_TRUE(json.ok()) << json.status();
  const JsonValue* columns = json->Find("columns");
  const JsonValue* rows = json->Find("rows");
  ASSERT_NE(columns, nullptr);
  ASSERT_NE(rows, nullptr);
  ASSERT_EQ(rows->items.size(), 2u);
  ASSERT_EQ(columns->items.size(), rows->items[0].items.size());
  EXPECT_EQ(columns->items[0].string, "id");
  // String columns are indexes into "strings" (numbered by first use).
  const JsonValue* strings = json->Find("strings");
  ASSERT_NE(strings, nullptr);
  auto str = [&](const JsonValue& index) -> std::string {
    const size_t i = static_cast<size_t>(index.number);
    return i < strings->items.size() ? strings->items[i].string : "?";
  };
  const JsonValue& first = rows->items[0];
  EXPECT_EQ(first.items[0].number, 1);
  EXPECT_EQ(str(first.items[1]), "198.18.0.1");
  EXPECT_EQ(first.items[2].number, 54566);
  EXPECT_EQ(str(first.items[5]), "CLOSE_WAIT");
  EXPECT_EQ(str(first.items[6]), "FIN_WAIT_1");
  EXPECT_EQ(first.items[9].number, 12500000);  // duration in µs
  EXPECT_EQ(first.items[10].number, 16);       // packets
  ASSERT_EQ(first.items[12].items.size(), 2u);  // (kind, endpoint)
  EXPECT_EQ(str(first.items[12].items[0]), "fin_retransmitted_after_ack");
  EXPECT_EQ(str(first.items[12].items[1]), "server");
  EXPECT_EQ(str(rows->items[1].items[3]), "2001:db8::2");
  EXPECT_EQ(rows->items[1].items[8].number, 1000000);  // starts 1 s in
  // Each string once.
  std::set<std::string> seen;
  for (const JsonValue& v : strings->items) {
    EXPECT_TRUE(seen.insert(v.string).second) << v.string;
  }
}

TEST(HtmlReportTest, DiagramsForFlaggedConnectionsAndTheFirstNOthers) {
  std::vector<ConnectionRecord> c(6);
  c[1].anomalies.resize(1);
  c[4].anomalies.resize(1);
  EXPECT_THAT(DiagramSelection(c, 2, 1000),
              ElementsAre(true, true, true, false, true, false));
  EXPECT_THAT(DiagramSelection(c, 0, 1000),
              ElementsAre(false, true, false, false, true, false));
  EXPECT_THAT(DiagramSelection(c, 100, 1000),
              ElementsAre(true, true, true, true, true, true));
  // At most `max_flagged` flagged ones, the first by id.
  EXPECT_THAT(DiagramSelection(c, 0, 1),
              ElementsAre(false, true, false, false, false, false));
}

TEST(HtmlReportTest, SaysHowManyFlaggedConnectionsHaveNoDiagram) {
  const AnalysisResult r = testing_results::SampleWithLadders();
  EXPECT_THAT(RenderHtml(r, {}), Not(HasSubstr("flagged-left-out")));
  HtmlOptions options;
  options.max_flagged = 0;
  const std::string html = RenderHtml(r, options);
  EXPECT_THAT(html, HasSubstr("id=\"flagged-left-out\">1 flagged "
                              "connections have no diagram</span>"));
  EXPECT_EQ(Count(html, "<svg class=\"ladder\""), 1u);  // connection 2
  EXPECT_THAT(html, HasSubstr("id=\"ladder-2\""));
}

TEST(HtmlReportTest, DiagramsOptionLimitsTheLadders) {
  // Connection 1 is flagged, connection 2 is not.
  const AnalysisResult r = testing_results::SampleWithLadders();
  const std::string none = RenderHtml(r, {0, 1000, 500});
  EXPECT_EQ(Count(none, "<svg class=\"ladder\""), 1u);
  EXPECT_THAT(none, HasSubstr("id=\"ladder-1\""));
  EXPECT_THAT(DataIsland(none), HasSubstr("[],0]"));  // row 2: no diagram
  const std::string both = RenderHtml(r, {1, 1000, 500});
  EXPECT_EQ(Count(both, "<svg class=\"ladder\""), 2u);
  EXPECT_THAT(both, HasSubstr("id=\"conn-2\""));
}

TEST(HtmlReportTest, HostileStringsAreEscaped) {
  const std::string html = RenderHtml(testing_results::Hostile(), {});
  // Only the report's own three scripts.
  EXPECT_EQ(Count(html, "<script"), 3u);
  EXPECT_EQ(Count(html, "</script"), 3u);
  EXPECT_THAT(html, HasSubstr("q&quot;b\\s&lt;/script&gt;&lt;script&gt;x"
                              "\\x01\\x1b[2J\\x7f"));
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find('\x7f'), std::string::npos);
  EXPECT_EQ(SanitizeUtf8(html), html);  // valid UTF-8
  // The data island holds the hostile conn_state and kind, escaped for JSON.
  const std::string island = DataIsland(html);
  EXPECT_EQ(island.find('<'), std::string::npos);
  absl::StatusOr<JsonValue> json = ParseJson(island);
  ASSERT_TRUE(json.ok()) << json.status();
  const JsonValue* strings = json->Find("strings");
  ASSERT_NE(strings, nullptr);
  const size_t conn_state =
      static_cast<size_t>(json->Find("rows")->items[0].items[7].number);
  ASSERT_LT(conn_state, strings->items.size());
  EXPECT_THAT(strings->items[conn_state].string,
              HasSubstr("</script><script>x"));
}

TEST(HtmlReportTest, PageReportsScriptErrorsAndReadiness) {
  const std::string html = RenderHtml(testing_results::Sample(), {});
  const size_t errors = html.find("<pre id=\"js-errors\"></pre>");
  const size_t trap = html.find("window.onerror");
  const size_t main_script = html.find("'use strict'");
  ASSERT_NE(errors, std::string::npos);
  EXPECT_LT(errors, trap);
  EXPECT_LT(trap, main_script);
  EXPECT_THAT(html, HasSubstr("setAttribute('data-ready', '1')"));
}

}  // namespace
}  // namespace tcpstate
