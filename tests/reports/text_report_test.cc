#include "reports/text_report.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

struct GoldenCase {
  const char* name;
  AnalysisResult (*make)();
};

class TextGoldenTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(TextGoldenTest, MatchesGoldenFile) {
  const std::string actual = RenderText(GetParam().make(), {});
  EXPECT_EQ(actual, testing_results::Golden(
                        std::string(GetParam().name) + ".txt", actual));
}

TEST_P(TextGoldenTest, NoColourUnlessAsked) {
  EXPECT_EQ(RenderText(GetParam().make(), {}).find('\x1b'), std::string::npos);
}

TEST_P(TextGoldenTest, RenderingTwiceIsIdentical) {
  EXPECT_EQ(RenderText(GetParam().make(), {true}),
            RenderText(GetParam().make(), {true}));
}

INSTANTIATE_TEST_SUITE_P(
    Results, TextGoldenTest,
    testing::Values(GoldenCase{"sample", testing_results::Sample},
                    GoldenCase{"empty", testing_results::Empty},
                    GoldenCase{"damaged", testing_results::Damaged}),
    [](const testing::TestParamInfo<GoldenCase>& info) {
      return std::string(info.param.name);
    });

TEST(TextReportTest, RowsShowBothEndpointsAndBracketIpv6) {
  EXPECT_NE(RenderText(testing_results::Damaged(), {})
                .find(" 1  198.18.0.1:54566  →  198.18.0.2:8001  CLOSE_WAIT "),
            std::string::npos);
  const std::string text = RenderText(testing_results::Sample(), {});
  EXPECT_NE(text.find("[2001:db8::1]:40000  →  [2001:db8::2]:443"),
            std::string::npos);
  EXPECT_NE(text.find("CLOSE_WAIT"), std::string::npos);
  EXPECT_NE(text.find("FIN_WAIT_1?"), std::string::npos);  // inferred
  EXPECT_NE(text.find("(mid-stream)"), std::string::npos);
  EXPECT_NE(text.find("    server FIN (pkt 8) ACKed by client"),
            std::string::npos);
}

TEST(TextReportTest, ColourWrapsStatesAndSeverities) {
  const std::string text = RenderText(testing_results::Sample(), {true});
  EXPECT_NE(text.find("\x1b[33mCLOSE_WAIT"), std::string::npos);
  EXPECT_NE(text.find("\x1b[33m! warning\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("  \x1b[36minfo\x1b[0m  host 198.18.0.9"),
            std::string::npos);
  EXPECT_NE(text.find("\x1b[1mAnomalies\x1b[0m"), std::string::npos);
}

TEST(TextReportTest, ColourDoesNotChangeTheTextItself) {
  std::string coloured = RenderText(testing_results::Sample(), {true});
  std::string plain;
  for (size_t i = 0; i < coloured.size(); ++i) {
    if (coloured[i] == '\x1b') {
      i = coloured.find('m', i);
      continue;
    }
    plain.push_back(coloured[i]);
  }
  EXPECT_EQ(plain, RenderText(testing_results::Sample(), {}));
}

TEST(TextReportTest, HostileStringsAreEscaped) {
  const std::string text = RenderText(testing_results::Hostile(), {});
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n') << "raw control byte " << int{u};
    EXPECT_NE(u, 0x7f);
  }
  EXPECT_NE(text.find("\\x1b[2J"), std::string::npos);
  EXPECT_NE(text.find("q\"b\\\\s"), std::string::npos);
  EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
  EXPECT_EQ(text.find("\xff"), std::string::npos);
}

TEST(TextReportTest, ErrorAndInputsInSummary) {
  const std::string text = RenderText(testing_results::Damaged(), {});
  EXPECT_NE(text.find("  error         cut.pcap: record 1 at byte 24: "
                      "truncated record header\n"),
            std::string::npos);
  EXPECT_NE(text.find("  input         cut.pcap: not opened, 0 packets"),
            std::string::npos);
  EXPECT_NE(text.find("  timestamps    1 went backwards\n"), std::string::npos);
}

TEST(TextReportTest, LiveDropsAreFlaggedIncomplete) {
  AnalysisResult result = testing_results::Sample();
  result.live = testing_results::Live("eth0", 900, 0, 0);
  const std::string complete = RenderText(result, {});
  EXPECT_NE(complete.find("900 received, 0 dropped by the kernel, 0 dropped "
                          "by the interface"),
            std::string::npos)
      << complete;
  EXPECT_EQ(complete.find("INCOMPLETE"), std::string::npos);
  result.live->dropped_by_kernel = 12;
  const std::string dropped = RenderText(result, {});
  EXPECT_NE(dropped.find("12 dropped by the kernel"), std::string::npos);
  EXPECT_NE(dropped.find("INCOMPLETE"), std::string::npos) << dropped;
}

}  // namespace
}  // namespace tcpstate
