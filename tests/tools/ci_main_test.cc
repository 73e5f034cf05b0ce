// CI mode of the tcpstate binary (issue 6) on the real-kernel captures:
// --fail-on, --expect, --junit (validated with xmllint), --baseline and
// --write-baseline, GitHub annotations, exit codes 0/1/2.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kCaptures =
    std::string(TCPSTATE_SOURCE_DIR) + "/testdata/captures/";
const std::string kSchema =
    std::string(TCPSTATE_SOURCE_DIR) + "/tests/ci/junit.xsd";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// A temporary file name no other test process uses (ctest runs test cases
// in parallel).
std::string TempPath(const std::string& suffix) {
  static int calls = 0;
  return absl::StrCat(testing::TempDir(), "/tcpstate_ci_", getpid(), "_",
                      ++calls, suffix);
}

std::string WriteTemp(const std::string& suffix, const std::string& content) {
  const std::string path = TempPath(suffix);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs tcpstate on testdata/captures/NAME.pcap with `args`; `env` is put
// in front of the command (e.g. "GITHUB_ACTIONS=true").
RunResult RunOn(const std::string& name, const std::string& args,
                const std::string& env = "env -u GITHUB_ACTIONS") {
  const std::string out = TempPath(".out");
  const std::string err = TempPath(".err");
  RunResult r;
  r.exit_code = Shell(absl::StrCat(env, " '", TCPSTATE_BINARY, "' -r '",
                                   kCaptures, name, ".pcap' ", args, " >'",
                                   out, "' 2>'", err, "'"));
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

class CiMainTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::ifstream(kCaptures + "normal_close_client.pcap").good()) {
      GTEST_SKIP() << "no testdata captures";
    }
  }
};

constexpr char kLeak[] = "server_never_closes";
constexpr char kClean[] = "normal_close_client";
constexpr char kAbort[] = "abortive_close";
constexpr char kConnection[] = "198.18.0.1:40000 -> 198.18.0.2:8000 (id 1)";

TEST_F(CiMainTest, FailOnPassesACleanCapture) {
  const RunResult r = RunOn(kClean, "--fail-on 'severity>=info' -o /dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(CiMainTest, FailOnCatchesTheCloseWaitLeak) {
  const RunResult r =
      RunOn(kLeak, "--stuck-after 1s --fail-on close_wait_stuck");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("CLOSE_WAIT"));  // the report is still written
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("FAIL connection ", kConnection,
                                            ": close_wait_stuck;")));
  EXPECT_THAT(r.err, HasSubstr("close_wait_stuck (server) packets 12,13"));
  EXPECT_THAT(r.err, Not(HasSubstr("fin_wait_2_stuck")));
  EXPECT_THAT(r.err, Not(HasSubstr("::error")));
  // Below the threshold the leak is not (yet) an anomaly.
  EXPECT_EQ(RunOn(kLeak, "--fail-on close_wait_stuck -o /dev/null").exit_code,
            0);
}

TEST_F(CiMainTest, FailOnCatchesTheAbort) {
  RunResult r = RunOn(kAbort, "--fail-on 'severity>=warning' --format jsonl");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("\"kind\":\"rst_teardown\""));
  EXPECT_THAT(r.err, HasSubstr("rst_teardown (client) packet 11"));
  r = RunOn(kAbort, "--fail-on refused,close_wait_stuck -o /dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CiMainTest, GithubAnnotationsOnlyOnGithubActions) {
  const RunResult r = RunOn(kAbort, "--fail-on rst_teardown -o /dev/null",
                          "GITHUB_ACTIONS=true");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("\n::error title=tcpstate%3A connection "
                        "198.18.0.1%3A40000 -> 198.18.0.2%3A8000 (id 1)::"
                        "rst_teardown; client CLOSED"));
}

constexpr char kExpectations[] =
    "# what a healthy run of the test suite looks like\n"
    "expect connections server.port=8000 client=TIME_WAIT server=CLOSED\n"
    "expect no close_wait_stuck\n"
    "expect no rst_teardown   # no aborts\n"
    "expect at most 3 retransmission\n"
    "expect count client=ESTABLISHED == 0\n";

TEST_F(CiMainTest, ExpectationsPassOnTheCleanCapture) {
  const std::string file = WriteTemp(".expect", kExpectations);
  const RunResult r =
      RunOn(kClean, absl::StrCat("--expect '", file, "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CiMainTest, ExpectationsFailOnTheLeakAndTheAbort) {
  const std::string file = WriteTemp(".expect", kExpectations);
  RunResult r = RunOn(kLeak, absl::StrCat("--stuck-after 1s --expect '", file,
                                        "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("FAIL line 2: expect connections server.port=8000 "
                        "client=TIME_WAIT server=CLOSED: 1 of 1 matching "
                        "connections end in other states\n"));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(
                         "  ", kConnection,
                         ": client FIN_WAIT_2, server CLOSE_WAIT")));
  EXPECT_THAT(r.err, HasSubstr("FAIL line 3: expect no close_wait_stuck: "
                               "found 1 close_wait_stuck\n"));
  EXPECT_THAT(r.err, HasSubstr("close_wait_stuck (server) packets 12,13"));
  EXPECT_THAT(r.err, Not(HasSubstr("FAIL line 4")));
  r = RunOn(kAbort, absl::StrCat("--expect '", file, "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAIL line 4: expect no rst_teardown: found 1"));
  EXPECT_THAT(r.err, HasSubstr("rst_teardown (client) packet 11"));
}

TEST_F(CiMainTest, ExpectationSyntaxErrorsExitTwoWithLineAndColumn) {
  const std::string file = WriteTemp(
      ".expect", "expect no refused\n\nexpect connections client=TIMEWAIT\n");
  const RunResult r = RunOn(kClean, absl::StrCat("--expect '", file, "'"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");  // checked before the capture is read
  EXPECT_EQ(r.err, absl::StrCat("tcpstate: ", file,
                                ":3:27: unknown TCP state 'TIMEWAIT' (use RFC "
                                "9293 names such as ESTABLISHED, CLOSE_WAIT, "
                                "TIME_WAIT, CLOSED, or UNKNOWN; ss "
                                "spellings such as ESTAB or CLOSE-WAIT work "
                                "too)\n"));
  EXPECT_EQ(RunOn(kClean, "--expect /nonexistent/ci.expect").exit_code, 2);
}

TEST_F(CiMainTest, BaselineFromTheCleanCapture) {
  const std::string baseline = TempPath(".baseline.json");
  RunResult r = RunOn(kClean, absl::StrCat("--write-baseline '", baseline,
                                         "' -o /dev/null"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(baseline),
              HasSubstr("{\"client\": \"TIME_WAIT\", \"server\": \"CLOSED\", "
                        "\"count\": 1}"));
  r = RunOn(kClean, absl::StrCat("--baseline '", baseline, "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunOn(kLeak, absl::StrCat("--stuck-after 1s --baseline '", baseline,
                              "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAIL state pair FIN_WAIT_2/CLOSE_WAIT: new "
                               "state pair FIN_WAIT_2/CLOSE_WAIT"));
  EXPECT_THAT(r.err, HasSubstr("FAIL anomaly close_wait_stuck: new "
                               "close_wait_stuck"));
  EXPECT_THAT(r.err, HasSubstr(kConnection));
}

TEST_F(CiMainTest, BaselineCanBeAJsonReport) {
  const std::string report = TempPath(".json");
  ASSERT_EQ(RunOn(kLeak, absl::StrCat("--stuck-after 1s --format json -o '",
                                    report, "'"))
                .exit_code,
            0);
  RunResult r = RunOn(kLeak, absl::StrCat("--stuck-after 1s --baseline '",
                                        report, "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 0) << r.err;  // nothing new
  r = RunOn(kAbort, absl::StrCat("--baseline '", report, "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("new rst_teardown"));
  const std::string bad = WriteTemp(".json", "{\"connections\": [}");
  r = RunOn(kClean, absl::StrCat("--baseline '", bad, "'"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(bad, ": line 1 column 18")));
}

// Runs xmllint --schema tests/ci/junit.xsd on `file`.
void ExpectValidJUnit(const std::string& file) {
  const std::string log = TempPath(".xmllint");
  const int code = Shell(absl::StrCat("xmllint --noout --schema '", kSchema,
                                      "' '", file, "' >'", log, "' 2>&1"));
  EXPECT_EQ(code, 0) << "xmllint (Debian libxml2-utils; tools/run.sh "
                        "installs it): "
                     << ReadFile(log) << "\n"
                     << ReadFile(file);
}

TEST_F(CiMainTest, JUnitValidatesAgainstTheSchema) {
  const std::string expect = WriteTemp(".expect", kExpectations);
  const std::string junit = TempPath(".xml");
  RunResult r = RunOn(kLeak, absl::StrCat("--stuck-after 1s --expect '", expect,
                                        "' --junit '", junit,
                                        "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 1);
  std::string xml = ReadFile(junit);
  EXPECT_THAT(xml, HasSubstr("tests=\"5\" failures=\"2\""));
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"line 3: expect no "
                             "close_wait_stuck\" classname=\"tcpstate.expect\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"found 1 close_wait_stuck\" "
                             "type=\"close_wait_stuck\">"));
  ExpectValidJUnit(junit);

  // Only --fail-on: one test case per connection.
  r = RunOn(kAbort, absl::StrCat("--fail-on rst_teardown --junit '", junit,
                               "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 1);
  xml = ReadFile(junit);
  EXPECT_THAT(xml, HasSubstr("tests=\"1\" failures=\"1\""));
  EXPECT_THAT(xml, HasSubstr(
                       "<testcase name=\"connection 198.18.0.1:40000 -&gt; "
                       "198.18.0.2:8000 (id 1)\""));
  ExpectValidJUnit(junit);

  r = RunOn(kClean, absl::StrCat("--junit '", junit, "' -o /dev/null"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(junit), HasSubstr("tests=\"1\" failures=\"0\""));
  ExpectValidJUnit(junit);
  EXPECT_EQ(RunOn(kClean, "--junit /nonexistent/dir/j.xml -o /dev/null")
                .exit_code,
            2);
}

}  // namespace
}  // namespace tcpstate
