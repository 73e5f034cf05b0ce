#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/html_parts.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace html_internal {
namespace {

using testing_results::Count;

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

// The data-count of every bar, in order.
std::vector<int> BarCounts(const std::string& svg) {
  // Plain string scanning: std::regex trips GCC 12's maybe-uninitialized
  // warning in sanitizer builds.
  std::vector<int> counts;
  const std::string prefix = "<g class=\"bar\" data-count=\"";
  for (size_t pos = svg.find(prefix); pos != std::string::npos;
       pos = svg.find(prefix, pos + 1)) {
    const size_t start = pos + prefix.size();
    const size_t end = svg.find_first_not_of("0123456789", start);
    if (end != std::string::npos && end > start && svg[end] == '"') {
      counts.push_back(std::stoi(svg.substr(start, end - start)));
    }
  }
  return counts;
}

TEST(NumTest, OneDecimalWithoutTrailingZero) {
  EXPECT_EQ(Num(0), "0");
  EXPECT_EQ(Num(64), "64");
  EXPECT_EQ(Num(1.26), "1.3");
  EXPECT_EQ(Num(444.4), "444.4");
  EXPECT_EQ(Num(-0.04), "0");
  EXPECT_EQ(Num(-3.5), "-3.5");
}

TEST(TimeAxisTicksTest, RoundTimesAtTheirPlaceOnTheAxis) {
  // The span of issue 18's clipped "+10m0.247204s": round minutes now.
  const auto ticks =
      TimeAxisTicks(absl::Minutes(10) + absl::Microseconds(247204), 6);
  ASSERT_EQ(ticks.size(), 6u);
  EXPECT_EQ(ticks[0].label, "+0");
  EXPECT_EQ(ticks[1].label, "+2m");
  EXPECT_EQ(ticks[5].label, "+10m");
  EXPECT_DOUBLE_EQ(ticks[0].at, 0);
  EXPECT_NEAR(ticks[5].at, 600 / 600.247204, 1e-9);
  EXPECT_THAT(TimeAxisTicks(absl::ZeroDuration(), 6), testing::SizeIs(1));
}

TEST(DurationChartTest, DecadeBins) {
  // Sample: 12.5 s and 0.75 s.
  const std::string svg = DurationChartSvg(testing_results::Sample());
  EXPECT_THAT(svg, HasSubstr("id=\"chart-durations\" data-total=\"2\""));
  EXPECT_THAT(BarCounts(svg), ElementsAre(0, 0, 0, 1, 0, 1, 0, 0));
  EXPECT_THAT(svg, HasSubstr(">0.1-1s</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>10-100s: 1 connections</title>"));
}

TEST(DurationChartTest, AnEdgeBelongsToTheBinItStarts) {
  AnalysisResult r = testing_results::Sample();
  r.connections[0].last_seen = r.connections[0].first_seen + absl::Milliseconds(1);
  r.connections[1].last_seen = r.connections[1].first_seen;
  EXPECT_THAT(BarCounts(DurationChartSvg(r)),
              ElementsAre(1, 1, 0, 0, 0, 0, 0, 0));
}

TEST(HandshakeRttChartTest, CountsOnlyConnectionsWithAHandshake) {
  AnalysisResult r = testing_results::Sample();
  EXPECT_THAT(HandshakeRttChartSvg(r), HasSubstr("data-total=\"0\""));
  EXPECT_THAT(HandshakeRttChartSvg(r), HasSubstr(">no data</text>"));
  r.connections[0].handshake_rtt = absl::Microseconds(50);
  r.connections[1].handshake_rtt = absl::Milliseconds(2);
  const std::string svg = HandshakeRttChartSvg(r);
  EXPECT_THAT(svg, HasSubstr("data-total=\"2\""));
  EXPECT_THAT(BarCounts(svg), ElementsAre(0, 1, 0, 1, 0, 0, 0));
  EXPECT_THAT(svg, Not(HasSubstr(">no data</text>")));
}

TEST(AnomalyTimeChartTest, BinsBySeverityOverTheCaptureSpan) {
  // Sample: a warning at +3 s on connection 1, an info host anomaly at
  // +11 s; the capture spans 12.5 s in 30 bins of 416.666 ms.
  const std::string svg = AnomalyTimeChartSvg(testing_results::Sample());
  std::vector<int> want(30, 0);
  want[7] = 1;
  want[26] = 1;
  EXPECT_THAT(BarCounts(svg), ElementsAreArray(want));
  EXPECT_THAT(svg, HasSubstr("data-total=\"2\""));
  // The legend and the one warning bar.
  EXPECT_EQ(Count(svg, "<rect class=\"sev-warning\" x="), 2u);
  EXPECT_THAT(svg, HasSubstr(": 0 info, 1 warning, 0 error</title>"));
  EXPECT_THAT(svg, HasSubstr(": 1 info, 0 warning, 0 error</title>"));
  // Round times along the axis (12.5 s: every 2 s), each at its place:
  // 462 px for 12.5 s.
  EXPECT_THAT(svg, HasSubstr("<text class=\"xl tick-x start\" x=\"48\" y=\"214\">+0</text>"));
  EXPECT_THAT(svg, HasSubstr("<text class=\"xl tick-x\" x=\"121.9\" y=\"214\">+2s</text>"));
  EXPECT_THAT(svg, HasSubstr("<text class=\"xl tick-x\" x=\"491.5\" y=\"214\">+12s</text>"));
  EXPECT_EQ(Count(svg, "tick-x"), 7u);
}

TEST(AnomalyTimeChartTest, ZeroSpanPutsEverythingInTheFirstBin) {
  AnalysisResult r = testing_results::Sample();
  r.summary.last_packet_time = r.summary.first_packet_time;
  const std::vector<int> counts = BarCounts(AnomalyTimeChartSvg(r));
  ASSERT_EQ(counts.size(), 30u);
  EXPECT_EQ(counts[0], 2);
}

TEST(BarChartTest, StacksSeriesAndEscapesText) {
  BarChart chart{"c", "A <b> & 'c'", {"s1", "s2"}, {"one", "t<w>o"},
                 {{"x<", "tip&", {2, 3}}, {"", "", {0, 1}}}, {}};
  const std::string svg = BarChartSvg(chart);
  EXPECT_THAT(BarCounts(svg), ElementsAre(5, 1));
  EXPECT_THAT(svg, HasSubstr(">A &lt;b&gt; &amp; &#39;c&#39;</text>"));
  EXPECT_THAT(svg, HasSubstr(">t&lt;w&gt;o</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>tip&amp;</title>"));
  EXPECT_EQ(Count(svg, "<rect class=\"s1\" x=\"") , 2u);  // legend + 1 bar
  EXPECT_EQ(Count(svg, "<rect class=\"s2\" x=\""), 3u);   // legend + 2 bars
  // The tallest bar fills the plot: 5 of 5 from 200 up to 40.
  EXPECT_THAT(svg, HasSubstr("y=\"40\""));
}

TEST(TimelineTest, OneBarPerConnectionColouredByState) {
  const std::string svg = TimelineSvg(testing_results::Sample(), 500);
  EXPECT_THAT(svg, HasSubstr("data-bars=\"2\""));
  EXPECT_EQ(Count(svg, "<g class=\"tl-bar"), 2u);
  EXPECT_EQ(Count(svg, "<g class=\"tl-bar flagged\" data-conn=\"1\""), 1u);
  // Connection 1: 3 client + 3 server states; connection 2: 1 client state.
  EXPECT_EQ(Count(svg, "<rect class=\"st-"), 7u);
  EXPECT_EQ(Count(svg, "<rect class=\"st-CLOSE_WAIT\""), 1u);
  EXPECT_EQ(Count(svg, "<rect class=\"st-ESTABLISHED\""), 3u);
  // Round ticks (every 2 s over 12.5 s), each with its grid line.
  EXPECT_THAT(svg, HasSubstr("<text class=\"tick-x\" x=\"924.4\" y=\"18\">+12s</text>"));
  EXPECT_THAT(svg, HasSubstr(">+0</text>"));
  EXPECT_EQ(Count(svg, "class=\"tick-x\""), 7u);
  EXPECT_EQ(Count(svg, "<line class=\"grid\""), 7u);
}

TEST(TimelineTest, StatesSpanTheirTimeOnTheCaptureScale) {
  // Client of connection 1: SYN_SENT 0..1 ms, ESTABLISHED 1 ms..2 s,
  // CLOSE_WAIT 2 s..12.5 s on 890 px for 12.5 s.
  const std::string svg = TimelineSvg(testing_results::Sample(), 500);
  EXPECT_THAT(svg, HasSubstr("<rect class=\"st-CLOSE_WAIT\" x=\"212.4\" "
                             "y=\"28\" width=\"747.6\" height=\"4\"/>"));
  // SYN_SENT lasted 1 ms, 0.07 px: drawn at the minimum width.
  EXPECT_THAT(svg, HasSubstr("<rect class=\"st-SYN_SENT\" x=\"70\" y=\"28\" "
                             "width=\"1.5\""));
}

TEST(TimelineTest, CapsTheNumberOfBars) {
  const std::string svg = TimelineSvg(testing_results::Sample(), 1);
  EXPECT_THAT(svg, HasSubstr("data-bars=\"1\""));
  EXPECT_EQ(Count(svg, "<g class=\"tl-bar"), 1u);
}

}  // namespace
}  // namespace html_internal
}  // namespace tcpstate
