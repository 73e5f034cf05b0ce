// The anomaly threshold options: --stuck-after [KIND=]DUR, --syn-flood-*,
// --list-anomalies.

#include <string>
#include <utility>
#include <vector>

#include "analyzer/anomaly_options.h"
#include "gtest/gtest.h"
#include "tools/cli.h"

namespace tcpstate {
namespace {

using Override = std::pair<AnomalyKind, absl::Duration>;

TEST(CliAnomalyOptionsTest, DefaultsComeFromAnomalyOptions) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "a.pcap"});
  ASSERT_TRUE(o.ok()) << o.status();
  const AnomalyOptions defaults;
  EXPECT_EQ(o->stuck_after, defaults.stuck_after);
  EXPECT_TRUE(o->stuck_after_overrides.empty());
  EXPECT_EQ(o->syn_flood_min, defaults.syn_flood_min);
  EXPECT_EQ(o->syn_flood_sources, defaults.syn_flood_sources);
  EXPECT_EQ(o->syn_flood_window, defaults.syn_flood_window);
  EXPECT_FALSE(o->list_anomalies);
}

TEST(CliAnomalyOptionsTest, StuckAfterPerKindOverridesInOrder) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"-r", "a.pcap", "--stuck-after", "close_wait_stuck=5m",
       "--stuck-after=90", "--stuck-after=last_ack_stuck=10", "--stuck-after",
       "fin_wait_2_stuck=500ms", "--stuck-after", "fin_wait_1_stuck=0",
       "--stuck-after", "close_wait_stuck=1h"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->stuck_after, absl::Seconds(90));
  const std::vector<Override> expected = {
      {AnomalyKind::kCloseWaitStuck, absl::Minutes(5)},
      {AnomalyKind::kLastAckStuck, absl::Seconds(10)},
      {AnomalyKind::kFinWait2Stuck, absl::Milliseconds(500)},
      {AnomalyKind::kFinWait1Stuck, absl::ZeroDuration()},
      {AnomalyKind::kCloseWaitStuck, absl::Hours(1)}};
  EXPECT_EQ(o->stuck_after_overrides, expected);
}

TEST(CliAnomalyOptionsTest, SynFloodThresholds) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"-r", "a.pcap", "--syn-flood-min", "500", "--syn-flood-sources=3",
       "--syn-flood-window", "2m"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->syn_flood_min, 500u);
  EXPECT_EQ(o->syn_flood_sources, 3u);
  EXPECT_EQ(o->syn_flood_window, absl::Minutes(2));
}

TEST(CliAnomalyOptionsTest, OverridesDoNotLeakIntoTheNextParse) {
  ASSERT_TRUE(
      ParseCommandLineArgs({"-r", "a", "--stuck-after", "close_wait_stuck=1s",
                            "--syn-flood-min", "7", "--stuck-after", "5"})
          .ok());
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "b"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->stuck_after_overrides.empty());
  EXPECT_EQ(o->syn_flood_min, AnomalyOptions().syn_flood_min);
  EXPECT_EQ(o->stuck_after, AnomalyOptions().stuck_after);
}

TEST(CliAnomalyOptionsTest, ListAnomaliesNeedsNoInput) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"--list-anomalies"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->list_anomalies);
  EXPECT_FALSE(ParseCommandLineArgs({"--list-anomalies=yes"}).ok());
}

struct BadCase {
  const char* name;
  std::vector<std::string> args;
  const char* message_part;
};

class CliAnomalyErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(CliAnomalyErrorTest, IsInvalidArgument) {
  std::vector<std::string> args = {"-r", "a.pcap"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(args);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(o.status().message().find(GetParam().message_part),
            absl::string_view::npos)
      << o.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliAnomalyErrorTest,
    testing::Values(
        BadCase{"unknown_kind",
                {"--stuck-after", "close_wait=5s"},
                "--stuck-after: unknown kind 'close_wait' (use "
                "close_wait_stuck, fin_wait_2_stuck, fin_wait_1_stuck, "
                "last_ack_stuck)"},
        BadCase{"not_a_stuck_kind",
                {"--stuck-after", "refused=5s"},
                "unknown kind 'refused'"},
        BadCase{"empty_kind", {"--stuck-after", "=5s"}, "unknown kind ''"},
        BadCase{"bad_override_duration",
                {"--stuck-after", "last_ack_stuck=soon"},
                "--stuck-after: bad duration 'soon'"},
        BadCase{"negative_override",
                {"--stuck-after=fin_wait_1_stuck=-1s"},
                "not negative"},
        BadCase{"zero_min", {"--syn-flood-min", "0"}, "at least 1"},
        BadCase{"zero_sources",
                {"--syn-flood-sources=0"},
                "--syn-flood-sources must be at least 1"},
        BadCase{"word_min",
                {"--syn-flood-min", "many"},
                "bad value 'many' for --syn-flood-min"},
        BadCase{"negative_min", {"--syn-flood-min=-5"}, "for --syn-flood-min"},
        BadCase{"bad_window",
                {"--syn-flood-window", "later"},
                "--syn-flood-window: bad duration"},
        BadCase{
            "window_missing_value", {"--syn-flood-window"}, "needs a value"}),
    [](const testing::TestParamInfo<BadCase>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace tcpstate
