// tcpdump habits on the command line (-n, clusters, -c on files, -F) and
// the text report's options (--rows, --summary, -q).

#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"

namespace tcpstate {
namespace {

TEST(CliTcpdumpTest, NameResolutionSwitchesAndClusters) {
  const std::vector<std::vector<std::string>> same = {
      {"-n", "-r", "a.pcap"}, {"-nn", "-r", "a.pcap"}, {"-nr", "a.pcap"},
      {"-nnr", "a.pcap"},     {"-nra.pcap"},           {"-r", "a.pcap", "-n"}};
  for (const std::vector<std::string>& args : same) {
    absl::StatusOr<CliOptions> o = ParseCommandLineArgs(args);
    ASSERT_TRUE(o.ok()) << args[0] << ": " << o.status();
    EXPECT_EQ(o->inputs, std::vector<std::string>{"a.pcap"}) << args[0];
  }
  // The value of an option is never split: -r -nasty.pcap reads that file.
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "-nasty.pcap"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->inputs, std::vector<std::string>{"-nasty.pcap"});
  // -nc 10: a count, on a file.
  o = ParseCommandLineArgs({"-nc", "10", "-r", "a.pcap"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->live.count, 10u);
  EXPECT_FALSE(ParseCommandLineArgs({"-nx", "-r", "a.pcap"}).ok());
}

TEST(CliTcpdumpTest, FilterFromAFile) {
  const std::string path = testing::TempDir() + "/cli_tcpdump_filter";
  std::ofstream(path) << "tcp and\n  port 80\n";
  absl::StatusOr<CliOptions> o =
      ParseCommandLineArgs({"-r", "a.pcap", "-F", path});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->filter, "tcp and port 80");
  o = ParseCommandLineArgs({"-r", "a.pcap", "-F", path, "port", "443"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("not both"), std::string::npos);
  o = ParseCommandLineArgs({"-r", "a.pcap", "-F", path + ".absent"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("cannot read"), std::string::npos);
  std::remove(path.c_str());
}

TEST(CliTcpdumpTest, RowsAndSummary) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "a.pcap"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->rows, 50u);
  EXPECT_FALSE(o->rows_given);
  EXPECT_FALSE(o->summary_only);
  o = ParseCommandLineArgs({"-r", "a.pcap", "--rows", "7", "-q"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->rows, 7u);
  EXPECT_TRUE(o->rows_given);
  EXPECT_TRUE(o->summary_only);
  o = ParseCommandLineArgs({"-r", "a.pcap", "--rows=all", "--summary"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->rows, std::numeric_limits<size_t>::max());
  EXPECT_TRUE(o->summary_only);
  EXPECT_FALSE(ParseCommandLineArgs({"-r", "a.pcap", "--rows", "0"}).ok());
  EXPECT_FALSE(ParseCommandLineArgs({"-r", "a.pcap", "--rows", "many"}).ok());
}

}  // namespace
}  // namespace tcpstate
