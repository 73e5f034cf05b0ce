#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"

namespace tcpstate {
namespace {

TEST(CliShardTest, ShardTakesKOverN) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"--shard", "2/5", "-r", "a.pcap", "--stuck-after", "5s", "port", "80"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->shard, 2u);
  EXPECT_EQ(o->shards, 5u);
  EXPECT_EQ(o->filter, "port 80");
  EXPECT_FALSE(o->merge);
  o = ParseCommandLineArgs({"-r", "a.pcap"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->shards, 0u);  // not sharded
}

TEST(CliShardTest, BadShardsAreRefused) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--shard", "5/5", "-r", "a"}, "is not K/N"},
      {{"--shard", "1/0", "-r", "a"}, "is not K/N"},
      {{"--shard", "1", "-r", "a"}, "is not K/N"},
      {{"--shard", "-1/3", "-r", "a"}, "is not K/N"},
      {{"--shard", "1/2/3", "-r", "a"}, "is not K/N"},
      {{"--shard", "0/70000", "-r", "a"}, "is not K/N"},
      {{"--shard", "0/2", "-i", "eth0"}, "reads files"},
      {{"--shard", "0/2", "-r", "a", "--format", "json"}, "tcpstate merge"},
      {{"--shard", "0/2", "-r", "a", "--fail-on", "rst_teardown"},
       "tcpstate merge"},
      {{"--shard", "0/2", "-r", "a", "-j", "2"}, "tcpstate merge"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CliOptions> o = ParseCommandLineArgs(c.args);
    ASSERT_FALSE(o.ok()) << c.args[1];
    EXPECT_NE(o.status().message().find(c.message), std::string::npos)
        << o.status();
  }
}

TEST(CliShardTest, MergeTakesPartsAndReportOptions) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"merge", "p0", "p1", "--format", "json", "-o", "out.json",
       "--fail-on", "severity>=warning", "--quiet"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->merge);
  EXPECT_EQ(o->parts, (std::vector<std::string>{"p0", "p1"}));
  EXPECT_EQ(o->format, ReportFormat::kJson);
  EXPECT_EQ(o->output, "out.json");
  EXPECT_TRUE(o->ci.Active());
  EXPECT_TRUE(o->inputs.empty());
  EXPECT_EQ(o->filter, "");
}

TEST(CliShardTest, MergeRefusesAnalysisOptions) {
  const std::vector<std::vector<std::string>> bad = {
      {"merge"},
      {"merge", "--format", "json"},
      {"merge", "p0", "--stuck-after", "5s"},
      {"merge", "p0", "-r", "a.pcap"},
      {"merge", "p0", "-i", "eth0"},
      {"merge", "p0", "--shard", "0/2"},
      {"merge", "p0", "--no-reassembly"},
      {"merge", "p0", "-j", "2"},
  };
  for (const std::vector<std::string>& args : bad) {
    EXPECT_FALSE(ParseCommandLineArgs(args).ok()) << args.back();
  }
}

}  // namespace
}  // namespace tcpstate
