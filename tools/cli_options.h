#pragma once

// The one table of tcpstate's command-line options. It drives the parser
// (tools/cli.cc: which names exist, which take a value, which short
// letters take one attached), the --help text (tools/cli_usage.cc), the
// man page, the bash completion and the option reference in docs/cli.md
// (tools/doc_gen.cc). Values are stored and parsed by Abseil flags of the
// same names; their help strings are empty, the help lives here.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace tcpstate {

// Where an option is listed (--help, the man page, docs/cli.md).
enum class OptionGroup {
  kInput,
  kReport,
  kAnalysis,
  kReassembly,
  kCi,
  kLive,
  kScale,
  kInfo,
};

struct OptionSpec {
  // Canonical name as Abseil knows it ("time_wait"); "" for an option with
  // only a short name (-n).
  absl::string_view name;
  absl::string_view short_name;  // "r"; "" if none
  absl::string_view metavar;     // the value's name; "" for a switch
  OptionGroup group;
  absl::string_view help;  // one paragraph, no default (added from the flag)
};

// Every option, in the order --help lists them within their group.
absl::Span<const OptionSpec> Options();

// The option named `name` (canonical long name, "time-wait" spelling
// included, or a short letter); nullptr if there is none.
const OptionSpec* FindOption(absl::string_view name);

// "time_wait" for --time-wait, "n" for -n: the key the parser uses.
absl::string_view CanonicalName(const OptionSpec& spec);

// As a user types them: "-r, --read", "--time-wait", "-n".
std::string OptionNames(const OptionSpec& spec);

// The flag's default as --help shows it ("60s"); nullopt for switches and
// options without a meaningful default (empty, or -r). In tools/cli.cc.
std::optional<std::string> OptionDefault(const OptionSpec& spec);

// The help paragraph with " Default: X." when there is one (--help, the
// man page). In tools/cli.cc.
std::string OptionHelp(const OptionSpec& spec);

// "Input", "Report", ... in the order of the enum.
absl::string_view GroupTitle(OptionGroup group);
absl::Span<const OptionGroup> Groups();

// The usage lines ("tcpstate -r FILE [-r FILE]... [options] [FILTER...]"),
// without the program-name prefix text ("Usage: ").
absl::Span<const absl::string_view> SynopsisLines();

// What tcpstate does, one paragraph.
absl::string_view Description();

// Exit statuses and their meaning, in order.
absl::Span<const std::pair<int, absl::string_view>> ExitStatuses();

}  // namespace tcpstate
