// The CI options of the command line: --fail-on, --expect, --junit,
// --baseline, --write-baseline.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cli.h"
#include "tools/cli_ci.h"

namespace tcpstate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<CliOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"-r", "x.pcap"});
  return ParseCommandLineArgs(args);
}

TEST(CliCiTest, DefaultsAreOff) {
  absl::StatusOr<CliOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->ci.Active());
  EXPECT_FALSE(o->ci.HasFailOn());
}

TEST(CliCiTest, FailOnKindsAndSeverityAccumulate) {
  absl::StatusOr<CliOptions> o =
      Parse({"--fail-on", "close_wait_stuck,rst_teardown",
             "--fail-on=severity>=error", "--fail-on", "severity>=warning",
             "--fail-on", "close_wait_stuck"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->ci.fail_on_kinds,
              ElementsAre("close_wait_stuck", "rst_teardown"));
  ASSERT_TRUE(o->ci.fail_on_severity.has_value());
  EXPECT_EQ(*o->ci.fail_on_severity, Severity::kWarning);  // the lower wins
  EXPECT_TRUE(o->ci.Active());
}

TEST(CliCiTest, FilesAreTaken) {
  absl::StatusOr<CliOptions> o =
      Parse({"--expect", "ci.expect", "--junit=j.xml", "--baseline", "b.json",
             "--write-baseline", "new.json"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->ci.expect_file, "ci.expect");
  EXPECT_EQ(o->ci.junit_file, "j.xml");
  EXPECT_EQ(o->ci.baseline_file, "b.json");
  EXPECT_EQ(o->ci.write_baseline_file, "new.json");
  EXPECT_TRUE(o->ci.Active());
  // Parsing again starts from the defaults.
  o = Parse({});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->ci.expect_file.empty());
  EXPECT_TRUE(o->ci.fail_on_kinds.empty());
}

TEST(CliCiTest, BadFailOnValuesAreUsageErrors) {
  EXPECT_THAT(Parse({"--fail-on", "bogus"}).status().message(),
              HasSubstr("unknown anomaly kind 'bogus'"));
  EXPECT_THAT(Parse({"--fail-on", "severity>=fatal"}).status().message(),
              HasSubstr("unknown severity 'fatal'"));
  EXPECT_THAT(Parse({"--fail-on", "refused,,rst_teardown"}).status().message(),
              HasSubstr("unknown anomaly kind ''"));
  EXPECT_FALSE(Parse({"--fail-on"}).ok());
  EXPECT_FALSE(Parse({"--fail-on="}).ok());
  EXPECT_FALSE(Parse({"--junit"}).ok());
}

// `--fail-on severity>=warning` unquoted reaches tcpstate as
// `--fail-on severity` (the shell made a file named "=warning").
TEST(CliCiTest, TheShellTrapIsNamed) {
  absl::StatusOr<CliOptions> o = Parse({"--fail-on", "severity"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("redirection"));
  EXPECT_THAT(o.status().message(), HasSubstr("--fail-on 'severity>=warning'"));
  EXPECT_THAT(o.status().message(), HasSubstr("--fail-on-severity warning"));
  o = Parse({"--fail-on", "rst_teardown,severity"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("redirection"));
}

TEST(CliCiTest, FailOnSeverityNeedsNoQuotes) {
  absl::StatusOr<CliOptions> o = Parse({"--fail-on-severity", "warning"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_TRUE(o->ci.fail_on_severity.has_value());
  EXPECT_EQ(*o->ci.fail_on_severity, Severity::kWarning);
  EXPECT_TRUE(o->ci.Active());
  // Together with --fail-on: the lower severity wins.
  o = Parse({"--fail-on-severity", "error", "--fail-on", "severity>=info"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->ci.fail_on_severity, Severity::kInfo);
  o = Parse({"--fail-on-severity", "loud"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("unknown severity 'loud'"));
}

TEST(CliCiTest, HelpListsTheCiOptionsAndExitCodes) {
  const std::string usage = UsageText();
  for (const char* option : {"--fail-on", "--expect FILE", "--junit FILE",
                             "--baseline FILE", "--write-baseline FILE"}) {
    EXPECT_THAT(usage, HasSubstr(option));
  }
  EXPECT_THAT(usage, HasSubstr("  1\n      A CI check failed"));
}

}  // namespace
}  // namespace tcpstate
