// The HTML report at 100 k connections stays within issue 18's 16 MB:
// every row in the table's data, a diagram for the first 1,000 flagged
// connections and 50 others, the hosts with a finding. (Its first paint in
// headless Chromium is measured by bench/html_paint.py, not here.)

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/html_report.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

using testing_results::Count;

TEST(HtmlScaleTest, HundredThousandConnectionsInSixteenMegabytes) {
  const std::string html =
      RenderHtml(testing_results::HundredThousand(), HtmlOptions());
  EXPECT_LE(html.size(), 16u << 20);
  EXPECT_EQ(Count(html, "<svg class=\"ladder\""), 1050u);
  // One data row per connection (rows are "[id," at a line start).
  EXPECT_EQ(Count(html, "\n[") , 100000u);
  EXPECT_EQ(Count(html, "<article class=\"isn-host\""), 5u);
  EXPECT_THAT(html, testing::HasSubstr("695 hosts chose ISNs that are not "
                                       "predictable (695 random)"));
}

}  // namespace
}  // namespace tcpstate
