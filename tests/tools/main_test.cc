// Runs the tcpstate binary: exit codes, -o, stdin, damaged input and the
// jsonl stream, on the checked-in real captures.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/version.h"

namespace tcpstate {
namespace {

const std::string kCaptures =
    std::string(TCPSTATE_SOURCE_DIR) + "/testdata/captures/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the binary with `args` (already shell-quoted where needed).
RunResult RunTcpstate(const std::string& args) {
  // ctest runs test cases as parallel processes: names must not collide.
  static int calls = 0;
  const std::string base = absl::StrCat(testing::TempDir(), "/tcpstate_test_",
                                        getpid(), "_", ++calls);
  const std::string out = base + ".out";
  const std::string err = base + ".err";
  const std::string command = absl::StrCat("'", TCPSTATE_BINARY, "' ", args,
                                           " >'", out, "' 2>'", err, "'");
  const int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

bool HaveCaptures() {
  return std::ifstream(kCaptures + "server_never_closes.pcap").good();
}

TEST(MainTest, VersionAndHelp) {
  RunResult r = RunTcpstate("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, absl::StrCat("tcpstate ", TcpstateVersion(), "\n"));
  r = RunTcpstate("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--stuck-after"), std::string::npos);
}

TEST(MainTest, UsageErrorsExitTwo) {
  for (const char* args :
       {"", "--format xml -r x.pcap", "--bogus -r x.pcap",
        "-r x.pcap --time-wait never", "-r /nonexistent/none.pcap",
        "-r x.pcap --stuck-after bogus_stuck=5s",
        "-r x.pcap --syn-flood-min 0"}) {
    const RunResult r = RunTcpstate(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(r.err.rfind("tcpstate: ", 0), 0u) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}

TEST(MainTest, UnwritableOutputExitsTwo) {
  if (!HaveCaptures()) {
    GTEST_SKIP() << "no testdata captures";
  }
  const RunResult r = RunTcpstate(absl::StrCat("-r '", kCaptures,
                                               "server_never_closes.pcap' -o "
                                               "/nonexistent/dir/out.txt"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot open output file"), std::string::npos);
}

TEST(MainTest, JsonToFileAndStdinGiveTheSameReport) {
  if (!HaveCaptures()) {
    GTEST_SKIP() << "no testdata captures";
  }
  const std::string pcap = kCaptures + "server_never_closes.pcap";
  const std::string file = testing::TempDir() + "/tcpstate_test.json";
  RunResult to_file = RunTcpstate(
      absl::StrCat("--format json -r '", pcap, "' -o '", file, "'"));
  EXPECT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_TRUE(to_file.out.empty());
  const RunResult from_stdin =
      RunTcpstate(absl::StrCat("--format=json -r - < '", pcap, "'"));
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  std::string expected = ReadFile(file);
  // Only the input's name differs.
  const std::string quoted = absl::StrCat("\"", pcap, "\"");
  ASSERT_NE(expected.find(quoted), std::string::npos);
  expected.replace(expected.find(quoted), quoted.size(), "\"-\"");
  EXPECT_EQ(from_stdin.out, expected);
  EXPECT_NE(expected.find("\"connections\": ["), std::string::npos);
}

TEST(MainTest, DamagedInputWritesReportThenErrorAndExitsTwo) {
  if (!HaveCaptures()) {
    GTEST_SKIP() << "no testdata captures";
  }
  const std::string whole = ReadFile(kCaptures + "server_never_closes.pcap");
  const std::string cut = testing::TempDir() + "/tcpstate_cut.pcap";
  std::ofstream(cut, std::ios::binary) << whole.substr(0, whole.size() - 7);
  const RunResult r = RunTcpstate(absl::StrCat("-r '", cut, "'"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("Summary"), std::string::npos);
  EXPECT_NE(r.out.find("  error         "), std::string::npos);
  EXPECT_NE(r.out.find("198.18.0.1:40000"), std::string::npos);
  EXPECT_EQ(r.err.rfind("tcpstate: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("tcpstate_cut.pcap"), std::string::npos) << r.err;
}

TEST(MainTest, ListAnomaliesPrintsTheCatalogueTable) {
  const RunResult r = RunTcpstate("--list-anomalies");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("| id | severity | category | definition |\n", 0), 0u);
  EXPECT_NE(r.out.find("\n| `close_wait_stuck` | warning | lifecycle | "),
            std::string::npos);
}

// The thresholds reach the analyzer: a per-kind override beats the default.
TEST(MainTest, StuckAfterOverridesReachTheAnalyzer) {
  if (!HaveCaptures()) {
    GTEST_SKIP() << "no testdata captures";
  }
  const std::string base = absl::StrCat("--format jsonl -r '", kCaptures,
                                        "server_never_closes.pcap' ");
  const std::string close_wait = "\"kind\":\"close_wait_stuck\"";
  const std::string fin_wait_2 = "\"kind\":\"fin_wait_2_stuck\"";
  RunResult r = RunTcpstate(base + "--stuck-after 0");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(close_wait), std::string::npos);
  EXPECT_NE(r.out.find(fin_wait_2), std::string::npos);
  r = RunTcpstate(base + "--stuck-after 0 --stuck-after close_wait_stuck=1h");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(close_wait), std::string::npos);
  EXPECT_NE(r.out.find(fin_wait_2), std::string::npos);
}

TEST(MainTest, JsonlStreamsConnectionsThenOneSummary) {
  if (!HaveCaptures()) {
    GTEST_SKIP() << "no testdata captures";
  }
  const RunResult r = RunTcpstate(
      absl::StrCat("--format jsonl -r '", kCaptures, "port_reuse.pcap' ",
                   "-r '", kCaptures, "server_never_closes.pcap'"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 2u);
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind("{\"type\":\"connection\",\"id\":", 0), 0u);
  }
  EXPECT_EQ(lines.back().rfind("{\"type\":\"summary\",", 0), 0u);
  EXPECT_NE(lines.back().find(
                absl::StrCat("\"connections\":", lines.size() - 1, ",")),
            std::string::npos);
}

}  // namespace
}  // namespace tcpstate
