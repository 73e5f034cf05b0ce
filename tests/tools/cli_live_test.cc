// The live-capture options of the command line (-i and tcpdump's habits).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"

namespace tcpstate {
namespace {

TEST(CliLiveTest, InterfaceWithDefaults) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-i", "eth0"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->live.Active());
  EXPECT_TRUE(o->inputs.empty());
  EXPECT_EQ(o->live.interface, "eth0");
  EXPECT_EQ(o->live.snaplen, 262144);
  EXPECT_FALSE(o->live.count.has_value());
  EXPECT_FALSE(o->live.duration.has_value());
  EXPECT_TRUE(o->live.promiscuous);
  EXPECT_TRUE(o->live.immediate);
  EXPECT_EQ(o->live.buffer_kib, 0);
  EXPECT_EQ(o->live.write_file, "");
  EXPECT_EQ(o->live.user, "");
  EXPECT_FALSE(o->live.events);
  EXPECT_FALSE(o->format_given);
}

TEST(CliLiveTest, TcpdumpHabits) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"-iany", "-s", "128", "-c", "1000", "-p", "-B", "4096", "--duration",
       "10m", "-w", "save.pcap", "-Z", "nobody", "--events",
       "--no-immediate-mode", "--format", "jsonl", "tcp", "port", "80"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->live.interface, "any");
  EXPECT_EQ(o->live.snaplen, 128);
  EXPECT_EQ(o->live.count, 1000u);
  EXPECT_FALSE(o->live.promiscuous);
  EXPECT_EQ(o->live.buffer_kib, 4096);
  EXPECT_EQ(o->live.duration, absl::Minutes(10));
  EXPECT_EQ(o->live.write_file, "save.pcap");
  EXPECT_EQ(o->live.user, "nobody");
  EXPECT_TRUE(o->live.events);
  EXPECT_FALSE(o->live.immediate);
  EXPECT_TRUE(o->format_given);
  EXPECT_EQ(o->filter, "tcp port 80");
}

TEST(CliLiveTest, LongNamesAndSnaplenZero) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"--interface=lo", "--snaplen=0", "--buffer-size", "64",
       "--no-promiscuous-mode", "--count=5", "--write=x.pcap", "--user=me"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->live.interface, "lo");
  EXPECT_EQ(o->live.snaplen, 262144) << "-s 0 means the maximum";
  EXPECT_EQ(o->live.buffer_kib, 64);
  EXPECT_FALSE(o->live.promiscuous);
  EXPECT_EQ(o->live.count, 5u);
  EXPECT_EQ(o->live.write_file, "x.pcap");
  EXPECT_EQ(o->live.user, "me");
}

struct BadCase {
  const char* name;
  std::vector<std::string> args;
  const char* message_part;
};

class CliLiveErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(CliLiveErrorTest, Rejected) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(GetParam().args);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find(GetParam().message_part),
            absl::string_view::npos)
      << o.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliLiveErrorTest,
    testing::Values(
        BadCase{"both_inputs", {"-r", "a.pcap", "-i", "eth0"}, "not both"},
        BadCase{"buffer_offline", {"-r", "a.pcap", "-B", "1024"}, "need live"},
        BadCase{"user_offline", {"-r", "a.pcap", "-Z", "nobody"}, "need live"},
        BadCase{"switch_offline", {"-r", "a.pcap", "-p"}, "need live"},
        BadCase{"bad_duration", {"-i", "lo", "--duration", "soon"},
                "--duration: bad duration"},
        BadCase{"zero_duration", {"-i", "lo", "--duration", "0"},
                "--duration: bad duration"},
        BadCase{"bad_count", {"-i", "lo", "-c", "many"}, "--count"},
        BadCase{"events_with_value", {"-i", "lo", "--events=1"},
                "takes no value"}),
    [](const testing::TestParamInfo<BadCase>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace tcpstate
