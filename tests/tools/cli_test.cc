#include "tools/cli.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

// ParseCommandLineArgs resets every flag to its default first (see
// ParsingIsRepeatable), so tests need no absl::FlagSaver.
TEST(CliTest, DefaultsWithOneInput) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "a.pcap"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->inputs, std::vector<std::string>{"a.pcap"});
  EXPECT_EQ(o->format, ReportFormat::kText);
  EXPECT_EQ(o->output, "");
  EXPECT_EQ(o->time_wait, absl::Seconds(60));
  EXPECT_EQ(o->stuck_after, absl::Seconds(60));
  EXPECT_EQ(o->filter, "");
  EXPECT_FALSE(o->help);
  EXPECT_FALSE(o->version);
}

TEST(CliTest, RepeatedReadKeepsEveryFileInOrder) {
  absl::StatusOr<CliOptions> o =
      ParseCommandLineArgs({"-r", "a.pcap", "-r=b.pcap", "--read", "c.pcap",
                            "--read=d.pcap", "-re.pcap", "-r", "-"});
  ASSERT_TRUE(o.ok()) << o.status();
  const std::vector<std::string> expected = {"a.pcap", "b.pcap", "c.pcap",
                                             "d.pcap", "e.pcap", "-"};
  EXPECT_EQ(o->inputs, expected);
}

TEST(CliTest, PositionalArgumentsFormTheFilter) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"tcp", "port", "80", "-r", "a.pcap", "and", "host", "10.0.0.1"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->filter, "tcp port 80 and host 10.0.0.1");
}

TEST(CliTest, DoubleDashEndsOptions) {
  absl::StatusOr<CliOptions> o =
      ParseCommandLineArgs({"-r", "a.pcap", "--", "not", "-r", "x"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->inputs, std::vector<std::string>{"a.pcap"});
  EXPECT_EQ(o->filter, "not -r x");
}

TEST(CliTest, AllValueOptions) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"-r", "a.pcap", "--format", "jsonl", "-o", "out.json", "--time-wait=2m",
       "--stuck-after", "90"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->format, ReportFormat::kJsonl);
  EXPECT_EQ(o->output, "out.json");
  EXPECT_EQ(o->time_wait, absl::Minutes(2));
  EXPECT_EQ(o->stuck_after, absl::Seconds(90));
}

TEST(CliTest, HtmlWithDiagrams) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"-r", "a.pcap", "--format=html", "--diagrams", "7", "-o", "r.html"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->format, ReportFormat::kHtml);
  EXPECT_EQ(o->diagrams, 7u);
  o = ParseCommandLineArgs({"-r", "a.pcap", "--format", "html"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->diagrams, 50u);  // default, also after the 7 above
  EXPECT_FALSE(ParseCommandLineArgs({"-r", "a", "--format", "html",
                                     "--diagrams", "x"}).ok());
  // Only the HTML report draws diagrams.
  absl::StatusOr<CliOptions> json =
      ParseCommandLineArgs({"-r", "a", "--format", "json", "--diagrams", "7"});
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().message(),
            "--diagrams is used only with --format html");
  EXPECT_FALSE(ParseCommandLineArgs({"-r", "a", "--diagrams", "50"}).ok());
  EXPECT_FALSE(ParseCommandLineArgs(
                   {"-r", "a", "--format", "html", "--diagrams", "-1"})
                   .ok());
}

TEST(CliTest, ParsingIsRepeatable) {
  ASSERT_TRUE(
      ParseCommandLineArgs({"-r", "a", "--format=json", "-o", "x"}).ok());
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "b"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->inputs, std::vector<std::string>{"b"});
  EXPECT_EQ(o->format, ReportFormat::kText);
  EXPECT_EQ(o->output, "");
}

TEST(CliTest, HelpAndVersionNeedNoInput) {
  for (const char* flag : {"--help", "-h", "-help"}) {
    absl::StatusOr<CliOptions> o = ParseCommandLineArgs({flag});
    ASSERT_TRUE(o.ok()) << flag << ": " << o.status();
    EXPECT_TRUE(o->help) << flag;
  }
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"--version"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->version);
}

struct BadCase {
  const char* name;
  std::vector<std::string> args;
  const char* message_part;
};

class CliErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(CliErrorTest, IsInvalidArgument) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(GetParam().args);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(o.status().message().find(GetParam().message_part),
            absl::string_view::npos)
      << o.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliErrorTest,
    testing::Values(
        BadCase{"no_input", {}, "no input"},
        BadCase{"only_filter", {"tcp"}, "no input"},
        BadCase{"read_without_value", {"-r"}, "needs a value"},
        BadCase{"empty_read", {"-r="}, "needs a file name"},
        BadCase{"unknown_format",
                {"-r", "a", "--format", "xml"},
                "unknown format 'xml'"},
        BadCase{"unknown_option",
                {"-r", "a", "--colour"},
                "unknown option 'colour'"},
        BadCase{"unknown_short", {"-r", "a", "-x"}, "unknown option 'x'"},
        BadCase{"bad_duration",
                {"-r", "a", "--time-wait", "soon"},
                "--time-wait: bad duration 'soon'"},
        BadCase{"negative_duration",
                {"-r", "a", "--stuck-after=-5s"},
                "not negative"},
        BadCase{"negative_seconds",
                {"-r", "a", "--stuck-after=-5"},
                "not negative"},
        BadCase{"infinite_duration", {"-r", "a", "--time-wait=inf"}, "finite"},
        BadCase{"help_with_value", {"--help=yes"}, "takes no value"},
        BadCase{
            "format_missing_value", {"-r", "a", "--format"}, "needs a value"},
        BadCase{"mermaid_without_connection",
                {"-r", "a", "--format", "mermaid"},
                "give --connection ID"},
        BadCase{"connection_without_mermaid",
                {"-r", "a", "--connection", "3"},
                "only with --format mermaid"},
        BadCase{"connection_not_a_number",
                {"-r", "a", "--format", "mermaid", "--connection", "x"},
                "bad value 'x' for --connection"},
        BadCase{"quiet_with_value", {"-r", "a", "--quiet=1"},
                "takes no value"},
        BadCase{"no_reassembly_with_value", {"-r", "a", "--no-reassembly=1"},
                "takes no value"},
        BadCase{"reassembly_memory_too_small",
                {"-r", "a", "--reassembly-memory", "63"},
                "--reassembly-memory must be at least 64"},
        BadCase{"reassembly_no_datagrams",
                {"-r", "a", "--reassembly-max-datagrams=0"},
                "--reassembly-max-datagrams must be at least 1"},
        BadCase{"reassembly_bad_timeout",
                {"-r", "a", "--reassembly-timeout=soon"},
                "--reassembly-timeout"}),
    [](const testing::TestParamInfo<BadCase>& info) {
      return std::string(info.param.name);
    });

struct DurationCase {
  const char* text;
  absl::Duration expected;
};

class DurationTest : public testing::TestWithParam<DurationCase> {};

TEST_P(DurationTest, Parses) {
  absl::StatusOr<absl::Duration> d = ParseDurationArg(GetParam().text);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DurationTest,
    testing::Values(DurationCase{"60s", absl::Seconds(60)},
                    DurationCase{"2m", absl::Minutes(2)},
                    DurationCase{"1h30m", absl::Minutes(90)},
                    DurationCase{"500ms", absl::Milliseconds(500)},
                    DurationCase{"90", absl::Seconds(90)},
                    DurationCase{"0.25", absl::Milliseconds(250)},
                    DurationCase{"0", absl::ZeroDuration()}));

TEST(FormatTest, Names) {
  EXPECT_EQ(*ParseFormat("text"), ReportFormat::kText);
  EXPECT_EQ(*ParseFormat("json"), ReportFormat::kJson);
  EXPECT_EQ(*ParseFormat("jsonl"), ReportFormat::kJsonl);
  EXPECT_EQ(*ParseFormat("csv"), ReportFormat::kCsv);
  EXPECT_EQ(*ParseFormat("zeek"), ReportFormat::kZeek);
  EXPECT_EQ(*ParseFormat("mermaid"), ReportFormat::kMermaid);
  EXPECT_EQ(*ParseFormat("html"), ReportFormat::kHtml);
  EXPECT_FALSE(ParseFormat("JSON").ok());
  EXPECT_FALSE(ParseFormat("").ok());
}

TEST(CliTest, MermaidConnectionAndQuiet) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs(
      {"-r", "a", "--format=mermaid", "--connection", "7", "--quiet"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->format, ReportFormat::kMermaid);
  EXPECT_EQ(o->connection, 7u);
  EXPECT_TRUE(o->quiet);
  o = ParseCommandLineArgs({"-r", "a", "--format", "csv"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->connection, 0u) << "reset between parses";
  EXPECT_FALSE(o->quiet);
}

TEST(CliTest, ReassemblyOptions) {
  absl::StatusOr<CliOptions> o = ParseCommandLineArgs({"-r", "a"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->reassembly.enabled);
  EXPECT_EQ(o->reassembly.timeout, absl::Seconds(30));
  EXPECT_EQ(o->reassembly.max_datagrams, 4096u);
  EXPECT_EQ(o->reassembly.max_bytes, uint64_t{4} << 20);
  o = ParseCommandLineArgs({"-r", "a", "--no-reassembly",
                            "--reassembly-timeout", "2m",
                            "--reassembly-max-datagrams=10",
                            "--reassembly-memory", "128"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->reassembly.enabled);
  EXPECT_EQ(o->reassembly.timeout, absl::Minutes(2));
  EXPECT_EQ(o->reassembly.max_datagrams, 10u);
  EXPECT_EQ(o->reassembly.max_bytes, uint64_t{128} << 10);
  o = ParseCommandLineArgs({"-r", "a"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->reassembly.enabled) << "reset between parses";
  EXPECT_EQ(o->reassembly.max_datagrams, 4096u);
}

TEST(UsageTest, MentionsEveryOption) {
  const std::string usage = UsageText();
  for (const char* option :
       {"-r, --read FILE", "--format text|json|jsonl|csv|zeek|mermaid|html",
        "--connection ID", "--quiet", "-o, --output FILE", "--diagrams N",
        "--time-wait DURATION", "--stuck-after [KIND=]DURATION",
        "--syn-flood-min N", "--syn-flood-sources N",
        "--syn-flood-window DURATION", "--list-anomalies", "--help",
        "--no-reassembly", "--reassembly-timeout DURATION",
        "--reassembly-max-datagrams N", "--reassembly-memory KIB",
        "--version", "FILTER", "Exit status"}) {
    EXPECT_NE(usage.find(option), std::string::npos) << option;
  }
  EXPECT_NE(usage.find("Default: 60s."), std::string::npos);
}

}  // namespace
}  // namespace tcpstate
