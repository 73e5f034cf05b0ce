// The option table is the one list: every entry parses as the table says
// (value or switch, long and short spelling), has its Abseil flag when it
// takes a value, and appears in --help with its group.
#include "tools/cli_options.h"

#include <set>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cli.h"

namespace tcpstate {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// A value each value option accepts (by metavar or name).
std::string GoodValue(const OptionSpec& spec) {
  const std::string metavar(spec.metavar);
  if (spec.name == "format") {
    return "json";
  }
  if (spec.name == "shard") {
    return "0/2";
  }
  if (spec.name == "fail_on") {
    return "rst_teardown";
  }
  if (spec.name == "fail_on_severity") {
    return "warning";
  }
  if (spec.name == "threads") {
    return "2";
  }
  if (metavar.find("DURATION") != std::string::npos) {
    return "5s";
  }
  if (metavar == "FILE" || metavar == "IFACE" || metavar == "USER") {
    return "x";
  }
  return "64";
}

TEST(CliOptionsTest, NamesAreUniqueAndWellFormed) {
  std::set<std::string> seen;
  for (const OptionSpec& spec : Options()) {
    EXPECT_FALSE(spec.name.empty() && spec.short_name.empty());
    EXPECT_LE(spec.short_name.size(), 1u) << spec.name;
    EXPECT_FALSE(spec.help.empty()) << spec.name;
    for (absl::string_view n : {spec.name, spec.short_name}) {
      if (!n.empty()) {
        EXPECT_TRUE(seen.insert(std::string(n)).second) << n;
        EXPECT_EQ(n.find('-'), absl::string_view::npos) << n;
      }
    }
    EXPECT_EQ(FindOption(CanonicalName(spec)), &spec);
  }
}

TEST(CliOptionsTest, EveryValueOptionHasItsFlag) {
  for (const OptionSpec& spec : Options()) {
    const bool has_flag = absl::FindCommandLineFlag(spec.name) != nullptr;
    EXPECT_EQ(has_flag, !spec.metavar.empty()) << OptionNames(spec);
  }
}

// Each option, in each spelling, is taken by the parser the way the table
// says: a value option consumes its value, a switch takes none.
TEST(CliOptionsTest, ParserFollowsTheTable) {
  for (const OptionSpec& spec : Options()) {
    const bool live = spec.group == OptionGroup::kLive;
    std::vector<std::string> spellings;
    if (!spec.name.empty()) {
      spellings.push_back(
          absl::StrCat("--", absl::StrReplaceAll(spec.name, {{"_", "-"}})));
    }
    if (!spec.short_name.empty()) {
      spellings.push_back(absl::StrCat("-", spec.short_name));
    }
    for (const std::string& spelling : spellings) {
      std::vector<std::string> args = {live ? "-i" : "-r", live ? "lo" : "a"};
      if (spec.name == "read" || spec.name == "interface") {
        args.clear();
      }
      args.push_back(spelling);
      if (!spec.metavar.empty()) {
        args.push_back(GoodValue(spec));
      }
      // Some options need others (--connection needs --format mermaid,
      // -F reads its file): refused for that, never for the spelling.
      absl::StatusOr<CliOptions> o = ParseCommandLineArgs(args);
      if (!o.ok()) {
        EXPECT_THAT(o.status().message(),
                    Not(AnyOf(HasSubstr("unknown option"),
                              HasSubstr("needs a value"),
                              HasSubstr("takes no value"),
                              HasSubstr("not handled"))))
            << spelling;
      }
      if (spec.metavar.empty()) {
        // A switch followed by a word: the word is a filter, not a value.
        args.push_back("tcp");
        o = ParseCommandLineArgs(args);
        ASSERT_TRUE(o.ok()) << spelling << ": " << o.status();
        if (!o->help && !o->version && !o->list_anomalies) {
          EXPECT_EQ(o->filter, "tcp") << spelling;
        }
        args.pop_back();
        args.back() = absl::StrCat(spelling, "=1");  // a value: refused
        o = ParseCommandLineArgs(args);
        ASSERT_FALSE(o.ok()) << spelling;
        EXPECT_THAT(o.status().message(), HasSubstr("takes no value"));
      } else {
        args.pop_back();  // the value missing: refused
        o = ParseCommandLineArgs(args);
        ASSERT_FALSE(o.ok()) << spelling;
        EXPECT_THAT(o.status().message(), HasSubstr("needs a value"))
            << spelling;
      }
    }
  }
}

TEST(CliOptionsTest, HelpListsEveryOptionUnderItsGroup) {
  const std::string usage = UsageText();
  for (const OptionSpec& spec : Options()) {
    const std::string head = absl::StrCat(
        "  ", OptionNames(spec), spec.metavar.empty() ? "" : " ",
        spec.metavar, "\n");
    const size_t at = usage.find(head);
    ASSERT_NE(at, std::string::npos) << head;
    const size_t group = usage.find(absl::StrCat("\n", GroupTitle(spec.group),
                                                 ":\n"));
    ASSERT_NE(group, std::string::npos) << GroupTitle(spec.group);
    EXPECT_LT(group, at) << head;
    if (spec.name.find('_') != absl::string_view::npos) {
      // The flag's spelling never leaks (--time_wait for --time-wait).
      EXPECT_THAT(usage, Not(HasSubstr(absl::StrCat("--", spec.name))));
    }
  }
}

}  // namespace
}  // namespace tcpstate
