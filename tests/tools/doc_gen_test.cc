// The generated documentation says what the option table says: every
// option in the man page, the completion and docs/cli.md's reference.
#include "tools/doc_gen.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "analyzer/anomaly_catalogue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cli_options.h"

namespace tcpstate {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string LongName(const OptionSpec& spec) {
  return absl::StrCat("--", absl::StrReplaceAll(spec.name, {{"_", "-"}}));
}

TEST(RoffEscapeTest, DashesBackslashesAndControlLines) {
  EXPECT_EQ(RoffEscape("--time-wait 60s"), "\\-\\-time\\-wait 60s");
  EXPECT_EQ(RoffEscape("self-contained"), "self-contained");
  EXPECT_EQ(RoffEscape("a\\b"), "a\\eb");
  EXPECT_EQ(RoffEscape(".hidden"), "\\&.hidden");
  EXPECT_EQ(RoffEscape("'quoted"), "\\&'quoted");
  EXPECT_EQ(RoffEscape("-n, -nr"), "\\-n, \\-nr");
}

TEST(ManPageTest, TitleSectionsAndEveryOption) {
  const std::string man = ManPage("1.2.3", "2026-12-07");
  EXPECT_THAT(man, HasSubstr(".TH TCPSTATE 1 \"2026-12-07\" \"tcpstate "
                             "1.2.3\" \"User Commands\"\n"));
  for (const char* section :
       {".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH OPTIONS\n",
        ".SH FORMATS\n", ".SH ANOMALIES\n", ".SH EXIT STATUS\n",
        ".SH ENVIRONMENT\n", ".SH EXAMPLES\n", ".SH SEE ALSO\n"}) {
    EXPECT_THAT(man, HasSubstr(section));
  }
  for (const OptionSpec& spec : Options()) {
    if (!spec.name.empty()) {
      EXPECT_THAT(man, HasSubstr(absl::StrCat("\\fB", RoffEscape(LongName(spec)),
                                              "\\fR")))
          << spec.name;
    }
    if (!spec.short_name.empty()) {
      EXPECT_THAT(man, HasSubstr(absl::StrCat("\\fB\\-", spec.short_name,
                                              "\\fR")))
          << spec.short_name;
    }
  }
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    EXPECT_THAT(man, HasSubstr(absl::StrCat("\\fB", info.id, "\\fR")));
  }
  for (const auto& [code, meaning] : ExitStatuses()) {
    EXPECT_THAT(man, HasSubstr(absl::StrCat(".B ", code, "\n")));
  }
}

TEST(ManPageTest, NoLineStartsWithAStrayControlCharacter) {
  const std::string man = ManPage("1", "");
  size_t start = 0;
  while (start < man.size()) {
    const size_t end = man.find('\n', start);
    const std::string line = man.substr(start, end - start);
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      // Only requests and comments: ".XX" with XX a known macro.
      EXPECT_THAT(line, ::testing::MatchesRegex(
                            "^\\.(\\\\\".*|TH .*|SH .*|SS .*|TP|PP|RS|RE|nf|"
                            "fi|B .*|BR .*)$"))
          << line;
    }
    start = end + 1;
  }
}

TEST(CompletionTest, OffersEveryOptionAndTheFormats) {
  const std::string bash = BashCompletion();
  for (const OptionSpec& spec : Options()) {
    if (!spec.name.empty()) {
      const std::string word = absl::StrCat(" ", LongName(spec));
      EXPECT_TRUE(bash.find(word + " ") != std::string::npos ||
                  bash.find(word + "\"") != std::string::npos)
          << word;
    }
  }
  EXPECT_THAT(bash, HasSubstr("text json jsonl csv zeek mermaid html"));
  EXPECT_THAT(bash, HasSubstr("close_wait_stuck"));
  EXPECT_THAT(bash, HasSubstr("complete -o default -F _tcpstate tcpstate"));
}

TEST(CliMarkdownTest, OneRowPerOptionUnderItsGroup) {
  const std::string md = CliMarkdown();
  for (OptionGroup group : Groups()) {
    EXPECT_THAT(md, HasSubstr(absl::StrCat("### ", GroupTitle(group), "\n")));
  }
  for (const OptionSpec& spec : Options()) {
    const std::string first =
        spec.name.empty() ? absl::StrCat("-", spec.short_name)
        : spec.short_name.empty() ? LongName(spec)
                                  : absl::StrCat("-", spec.short_name);
    EXPECT_THAT(md, HasSubstr(absl::StrCat("| `", first))) << first;
  }
  EXPECT_THAT(md, HasSubstr("`--format text\\|json\\|jsonl\\|csv\\|zeek\\|"
                            "mermaid\\|html`"));
}

}  // namespace
}  // namespace tcpstate
