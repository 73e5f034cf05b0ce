#include "tools/ci/ci_baseline.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ci/ci_json.h"
#include "reports/json_report.h"
#include "tests/tools/ci/ci_testutil.h"

namespace tcpstate {
namespace {

using ::testing::HasSubstr;

TEST(BaselineTest, SummarisesStatePairsAndKinds) {
  const Baseline b = BaselineOf(ci_testing::Sample());
  EXPECT_EQ(b.state_pairs.size(), 3u);
  EXPECT_EQ(b.state_pairs.at({"TIME_WAIT", "CLOSED"}), 1u);
  EXPECT_EQ(b.kinds.at("retransmission"), 4u);
  EXPECT_EQ(b.kinds.at("close_wait_stuck"), 1u);
  EXPECT_EQ(b.kinds.at("syn_flood"), 1u);
}

TEST(BaselineTest, RendersAndReadsBack) {
  const Baseline b = BaselineOf(ci_testing::Sample());
  const std::string text = RenderBaseline(b);
  EXPECT_THAT(text, HasSubstr("\"tcpstate_baseline\": 1"));
  EXPECT_THAT(text, HasSubstr("{\"kind\": \"retransmission\", \"count\": 4}"));
  absl::StatusOr<Baseline> back = ParseBaseline(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state_pairs, b.state_pairs);
  EXPECT_EQ(back->kinds, b.kinds);
  EXPECT_TRUE(ParseBaseline(RenderBaseline(Baseline())).ok());
}

TEST(BaselineTest, ReadsAFullJsonResult) {
  const AnalysisResult result = ci_testing::Sample();
  absl::StatusOr<Baseline> b = ParseBaseline(RenderJson(result));
  ASSERT_TRUE(b.ok()) << b.status();
  const Baseline expected = BaselineOf(result);
  EXPECT_EQ(b->state_pairs, expected.state_pairs);
  EXPECT_EQ(b->kinds, expected.kinds);
}

TEST(BaselineTest, RejectsOtherDocuments) {
  EXPECT_THAT(ParseBaseline("{\"x\": 1}").status().message(),
              HasSubstr("neither a tcpstate baseline"));
  EXPECT_THAT(ParseBaseline("{\"tcpstate_baseline\": 1,").status().message(),
              HasSubstr("line 1 column 25"));
  EXPECT_FALSE(ParseBaseline("[").ok());
}

TEST(BaselineTest, FailsOnlyOnWhatIsNew) {
  const AnalysisResult result = ci_testing::Sample();
  std::vector<CheckResult> same =
      CompareWithBaseline(result, BaselineOf(result));
  EXPECT_FALSE(AnyFailed(same));
  EXPECT_EQ(same.size(), 3u + 3u);  // 3 state pairs, 3 kinds

  Baseline older = BaselineOf(result);
  older.state_pairs.erase({"FIN_WAIT_2", "CLOSE_WAIT"});
  older.kinds.erase("close_wait_stuck");
  older.kinds["retransmission"] = 3;
  older.kinds["refused"] = 5;  // gone now: fine
  std::vector<std::string> failed;
  for (const CheckResult& c : CompareWithBaseline(result, older)) {
    if (c.failed) {
      failed.push_back(c.name + ": " + c.message);
      EXPECT_EQ(c.classname, "tcpstate.baseline");
      EXPECT_FALSE(c.details.empty());
    }
  }
  EXPECT_THAT(failed,
              ::testing::ElementsAre(
                  "state pair FIN_WAIT_2/CLOSE_WAIT: new state pair "
                  "FIN_WAIT_2/CLOSE_WAIT (1; not in the baseline)",
                  "anomaly close_wait_stuck: new close_wait_stuck (1; not in "
                  "the baseline)",
                  "anomaly retransmission: retransmission: 4, above the "
                  "baseline's 3"));
}

TEST(CiJsonTest, ParsesValuesAndEscapes) {
  absl::StatusOr<JsonValue> v = ParseJson(
      " {\"a\": [1, -2.5e1, true, false, null], \"s\": \"x\\u00e9\\n\\\"\","
      " \"o\": {}} ");
  ASSERT_TRUE(v.ok()) << v.status();
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 5u);
  EXPECT_EQ(a->items[1].number, -25);
  EXPECT_TRUE(a->items[2].boolean);
  EXPECT_EQ(a->items[4].type, JsonValue::Type::kNull);
  EXPECT_EQ(v->Find("s")->string, "x\xc3\xa9\n\"");
  EXPECT_EQ(v->Find("o")->type, JsonValue::Type::kObject);
  EXPECT_EQ(v->Find("missing"), nullptr);
  EXPECT_FALSE(ParseJson("{\"a\" 1}").ok());
  EXPECT_FALSE(ParseJson("\"unterminated").ok());
  EXPECT_FALSE(ParseJson("1 2").ok());
  EXPECT_FALSE(ParseJson(std::string(100, '[')).ok());  // too deep
}

}  // namespace
}  // namespace tcpstate
