#include "tools/ci/ci_check.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ci/junit.h"
#include "tests/tools/ci/ci_testutil.h"

namespace tcpstate {
namespace {

using ::testing::HasSubstr;

TEST(FailOnTest, OneCheckPerConnectionAndHost) {
  FailOnSpec spec;
  spec.kinds = {"close_wait_stuck"};
  const std::vector<CheckResult> r = CheckFailOn(ci_testing::Sample(), spec);
  ASSERT_EQ(r.size(), 4u);  // 3 connections + 1 host with anomalies
  EXPECT_FALSE(r[0].failed);
  EXPECT_EQ(r[0].name, "connection 10.0.0.1:40000 -> 10.0.0.2:8080 (id 1)");
  EXPECT_EQ(r[0].classname, "tcpstate.fail_on");
  EXPECT_TRUE(r[1].failed);
  EXPECT_EQ(r[1].type, "close_wait_stuck");
  EXPECT_EQ(r[1].message,
            "close_wait_stuck; client FIN_WAIT_2, server CLOSE_WAIT, packets "
            "20-25");
  EXPECT_EQ(r[1].details,
            std::vector<std::string>{"close_wait_stuck (server) packets "
                                     "22,23: detail of close_wait_stuck"});
  EXPECT_FALSE(r[2].failed);
  EXPECT_EQ(r[3].name, "host 10.0.0.2");
  EXPECT_FALSE(r[3].failed);
  EXPECT_TRUE(AnyFailed(r));
}

TEST(FailOnTest, SeverityThreshold) {
  FailOnSpec spec;
  spec.min_severity = Severity::kError;
  std::vector<CheckResult> r = CheckFailOn(ci_testing::Sample(), spec);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_FALSE(r[1].failed);
  EXPECT_TRUE(r[3].failed);  // syn_flood is an error
  EXPECT_EQ(r[3].message, "syn_flood on host 10.0.0.2, packets 1,2,3");
  spec.min_severity = Severity::kWarning;
  r = CheckFailOn(ci_testing::Sample(), spec);
  EXPECT_FALSE(r[0].failed);
  EXPECT_TRUE(r[1].failed);
  EXPECT_TRUE(r[2].failed);
  EXPECT_TRUE(r[3].failed);
}

TEST(FailOnTest, EmptyResultStillHasOneCheck) {
  const std::vector<CheckResult> r = CheckFailOn(AnalysisResult(), {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(AnyFailed(r));
}

TEST(FailuresTest, TextAndGithubAnnotations) {
  CheckResult ok;
  ok.name = "fine";
  CheckResult bad;
  bad.name = "line 2: expect no x";
  bad.failed = true;
  bad.message = "found 100% of 1:2, bad";
  bad.details = {"a", "b"};
  EXPECT_EQ(FormatFailures({ok, bad}),
            "FAIL line 2: expect no x: found 100% of 1:2, bad\n  a\n  b\n");
  EXPECT_EQ(GithubAnnotations({ok, bad}),
            "::error title=tcpstate%3A line 2%3A expect no x::found 100%25 of "
            "1:2, bad%0Aa%0Ab\n");
  std::vector<std::string> many(15, "x");
  std::vector<std::string> capped;
  AppendCapped(many, 10, &capped);
  ASSERT_EQ(capped.size(), 11u);
  EXPECT_EQ(capped.back(), "... and 5 more");
}

TEST(JUnitTest, RendersSuiteCasesAndFailures) {
  CheckResult ok;
  ok.name = "connection a -> b";
  ok.classname = "tcpstate.fail_on";
  CheckResult bad;
  bad.name = "line 1: expect count client=ESTABLISHED < 1";
  bad.classname = "tcpstate.expect";
  bad.failed = true;
  bad.type = "connection_count";
  bad.message = "1 connections match; \"expected\" < 1";
  bad.details = {"x & y", "z"};
  EXPECT_EQ(
      RenderJUnit("tcpstate a.pcap", {ok, bad}),
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"tcpstate a.pcap\" tests=\"2\" failures=\"1\" "
      "errors=\"0\" time=\"0\">\n"
      "  <testsuite name=\"tcpstate a.pcap\" tests=\"2\" failures=\"1\" "
      "errors=\"0\" skipped=\"0\" time=\"0\">\n"
      "    <testcase name=\"connection a -&gt; b\" "
      "classname=\"tcpstate.fail_on\" time=\"0\"/>\n"
      "    <testcase name=\"line 1: expect count client=ESTABLISHED &lt; 1\" "
      "classname=\"tcpstate.expect\" time=\"0\">\n"
      "      <failure message=\"1 connections match; &quot;expected&quot; "
      "&lt; 1\" type=\"connection_count\">x &amp; y\nz</failure>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "</testsuites>\n");
}

TEST(JUnitTest, EscapesWhatXmlCannotHold) {
  EXPECT_EQ(XmlEscape("a\x01z\xff'\n"), "a\xEF\xBF\xBDz\xEF\xBF\xBD&apos;&#10;");
  EXPECT_EQ(XmlEscape("l1\nl2\r", /*attribute=*/false), "l1\nl2&#13;");
  EXPECT_EQ(XmlEscape("\xc3\xa9"), "\xc3\xa9");
}

}  // namespace
}  // namespace tcpstate
