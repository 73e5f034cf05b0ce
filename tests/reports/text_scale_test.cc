// The text report stays readable at 100 k connections: bounded, the
// summary first, flagged connections first, few host lines.

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/anomaly_catalogue.h"
#include "gtest/gtest.h"
#include "reports/text_report.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

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
  const AnalysisResult r = testing_results::HundredThousand();
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
  const std::vector<std::string> lines = Lines(RenderText(testing_results::HundredThousand(), {}));
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
  const std::string text = RenderText(testing_results::HundredThousand(), {});
  EXPECT_NE(text.find("other 695 hosts: ISNs not predictable (695 random)"),
            std::string::npos);
  EXPECT_NE(text.find("fixed_increment, PREDICTABLE"), std::string::npos);
}

TEST(TextScaleTest, RowsAllAndSummaryOnly) {
  const AnalysisResult r = testing_results::HundredThousand();
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
