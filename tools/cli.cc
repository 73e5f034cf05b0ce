#include "tools/cli.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "analyzer/analyzer.h"
#include "tools/cli_internal.h"
#include "tools/cli_options.h"

ABSL_FLAG(std::vector<std::string>, read, {}, "");
ABSL_FLAG(std::string, filter_file, "", "");
ABSL_FLAG(std::string, output, "", "");

namespace tcpstate {
namespace {

// Options that take no value.
bool IsSwitch(absl::string_view name) {
  const OptionSpec* spec = FindOption(name);
  return spec != nullptr && spec->metavar.empty();
}

// An option that takes a value, by canonical or short name.
const OptionSpec* FindValueOption(absl::string_view name) {
  const OptionSpec* spec = FindOption(name);
  return spec != nullptr && !spec->metavar.empty() ? spec : nullptr;
}

// -rFILE / -oOUT / -ieth0 ...: whether short option `letter` takes a value
// that may be attached.
bool TakesAttachedValue(char letter) {
  for (const OptionSpec& spec : Options()) {
    if (!spec.metavar.empty() && spec.short_name.size() == 1 &&
        spec.short_name[0] == letter) {
      return true;
    }
  }
  return false;
}

// An option argument split into its name (dashes removed, '-' -> '_') and
// an attached value, if any.
struct OptionToken {
  std::string name;
  std::optional<std::string> value;
};

OptionToken SplitOption(absl::string_view arg) {
  const bool single_dash = !absl::StartsWith(arg, "--");
  absl::string_view body = arg.substr(single_dash ? 1 : 2);
  OptionToken token;
  const size_t eq = body.find('=');
  token.name = absl::StrReplaceAll(body.substr(0, eq), {{"-", "_"}});
  if (const OptionSpec* spec = FindOption(token.name); spec != nullptr) {
    token.name = std::string(CanonicalName(*spec));
  }
  if (eq != absl::string_view::npos) {
    token.value = std::string(body.substr(eq + 1));
  }
  const bool known =
      IsSwitch(token.name) || FindValueOption(token.name) != nullptr;
  // -rFILE / -oOUT / -ieth0 ...: a short option with its value attached.
  if (!known && single_dash && !body.empty() && TakesAttachedValue(body[0])) {
    token.name = std::string(CanonicalName(*FindOption(body.substr(0, 1))));
    token.value = std::string(body.substr(1));
  }
  return token;
}

absl::Status SetFlag(absl::string_view name, absl::string_view value) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  if (flag == nullptr) {
    return absl::InternalError(absl::StrCat("flag --", name, " missing"));
  }
  std::string error;
  if (!flag->ParseFrom(value, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad value '", value, "' for --",
                     absl::StrReplaceAll(name, {{"_", "-"}}), ": ", error));
  }
  return absl::OkStatus();
}

// Puts every flag back to its default, so parsing is repeatable.
absl::Status ResetFlags() {
  for (const OptionSpec& option : Options()) {
    if (option.metavar.empty()) {
      continue;  // a switch: no flag
    }
    if (option.name == "read") {
      absl::SetFlag(&FLAGS_read, {});
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(option.name);
    if (flag == nullptr) {
      return absl::InternalError(
          absl::StrCat("flag --", option.name, " missing"));
    }
    const absl::Status status = SetFlag(option.name, flag->DefaultValue());
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

namespace cli_internal {

std::string DisplayName(absl::string_view name) {
  return absl::StrReplaceAll(name, {{"_", "-"}});
}

}  // namespace cli_internal

namespace {

using cli_internal::DisplayName;

struct WalkState {
  std::vector<std::string> reads;
  std::vector<std::string> stuck_overrides;  // "KIND=DUR", in order
  std::vector<std::string> fail_on;          // --fail-on values, in order
  std::vector<std::string> positional;
  std::vector<std::string> live_switches;  // -p, --events, ...
  std::vector<std::string> given;  // every option's canonical name
  bool format_given = false;
  bool diagrams_given = false;
  bool help = false;
  bool version = false;
  bool list_anomalies = false;
  bool quiet = false;
  bool no_reassembly = false;
  bool summary_only = false;
};

absl::Status ApplySwitch(const OptionToken& token, WalkState* state) {
  if (token.value) {
    return absl::InvalidArgumentError(
        absl::StrCat("option --", DisplayName(token.name), " takes no value"));
  }
  if (IsLiveSwitch(token.name)) {
    state->live_switches.push_back(token.name);
  } else if (token.name == "version") {
    state->version = true;
  } else if (token.name == "list_anomalies") {
    state->list_anomalies = true;
  } else if (token.name == "summary") {
    state->summary_only = true;
  } else if (token.name == "n") {
    // tcpdump's "do not resolve names": tcpstate never resolves them.
  } else if (token.name == "quiet") {
    state->quiet = true;
  } else if (token.name == "no_reassembly") {
    state->no_reassembly = true;
  } else if (token.name == "help") {
    state->help = true;
  } else {
    return absl::InternalError(absl::StrCat(
        "switch ", DisplayName(token.name), " is in the option table but "
        "not handled"));
  }
  return absl::OkStatus();
}

// Applies one option; `next` is the following argument (for "--name value"),
// and `*used_next` says whether it was consumed.
absl::Status ApplyOption(const OptionToken& token, const std::string* next,
                         bool* used_next, WalkState* state) {
  *used_next = false;
  state->given.push_back(token.name);
  if (IsSwitch(token.name)) {
    return ApplySwitch(token, state);
  }
  const OptionSpec* option = FindValueOption(token.name);
  if (option == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown option '", DisplayName(token.name), "'"));
  }
  std::string value;
  if (token.value) {
    value = *token.value;
  } else if (next != nullptr) {
    value = *next;
    *used_next = true;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("option --", DisplayName(option->name), " needs a value"));
  }
  if (option->name == "read") {
    if (value.empty()) {
      return absl::InvalidArgumentError("option -r needs a file name");
    }
    state->reads.push_back(std::move(value));
    return absl::OkStatus();
  }
  state->format_given = state->format_given || option->name == "format";
  state->diagrams_given = state->diagrams_given || option->name == "diagrams";
  if (option->name == "fail_on") {
    state->fail_on.push_back(std::move(value));
    return absl::OkStatus();
  }
  if (option->name == "stuck_after" && value.find('=') != std::string::npos) {
    state->stuck_overrides.push_back(std::move(value));
    return absl::OkStatus();
  }
  return SetFlag(option->name, value);
}

absl::StatusOr<WalkState> WalkArgs(std::vector<std::string> args) {
  WalkState state;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!options_done) {
      // An option (never the value of one: those are skipped below).
      std::vector<std::string> split =
          cli_internal::SplitShortCluster(args[i], [](const std::string& a) {
            const OptionToken token = SplitOption(a);
            return IsSwitch(token.name) ||
                   FindValueOption(token.name) != nullptr;
          });
      if (!split.empty()) {
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
        args.insert(args.begin() + static_cast<std::ptrdiff_t>(i),
                    split.begin(), split.end());
      }
    }
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      state.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const std::string* next = i + 1 < args.size() ? &args[i + 1] : nullptr;
    bool used_next = false;
    const absl::Status status =
        ApplyOption(SplitOption(arg), next, &used_next, &state);
    if (!status.ok()) {
      return status;
    }
    if (used_next) {
      ++i;
    }
  }
  return state;
}

// A merge's options: the report's and the CI checks'.
absl::StatusOr<CliOptions> ReadMergeOptions(const WalkState& walked,
                                            CliOptions options) {
  options.output = absl::GetFlag(FLAGS_output);
  options.quiet = walked.quiet;
  options.summary_only = walked.summary_only;
  options.rows_given = absl::c_linear_search(walked.given, "rows");
  options.format_given = walked.format_given;
  absl::Status status =
      cli_internal::ReadReportOptions(walked.diagrams_given, &options);
  if (status.ok()) {
    status = ReadCiOptions(walked.fail_on, &options.ci);
  }
  if (!status.ok()) {
    return status;
  }
  return options;
}

}  // namespace

// Here, beside the parser, rather than in cli_options.cc: whatever links
// this links every file that defines a flag, so the defaults are there.
std::optional<std::string> OptionDefault(const OptionSpec& spec) {
  if (spec.metavar.empty() || spec.name == "read") {
    return std::nullopt;
  }
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(spec.name);
  if (flag == nullptr || flag->DefaultValue().empty()) {
    return std::nullopt;
  }
  return flag->DefaultValue();
}

std::string OptionHelp(const OptionSpec& spec) {
  std::string help(spec.help);
  if (const std::optional<std::string> def = OptionDefault(spec)) {
    absl::StrAppend(&help, " Default: ", *def, ".");
  }
  return help;
}

absl::StatusOr<CliOptions> ParseCommandLineArgs(
    const std::vector<std::string>& args) {
  absl::Status status = ResetFlags();
  if (!status.ok()) {
    return status;
  }
  // `tcpstate merge PART...`: the parts are the positional arguments.
  const bool merge = !args.empty() && args[0] == "merge";
  absl::StatusOr<WalkState> walked = WalkArgs(
      merge ? std::vector<std::string>(args.begin() + 1, args.end()) : args);
  if (!walked.ok()) {
    return walked.status();
  }
  CliOptions options;
  options.help = walked->help;
  options.version = walked->version;
  options.list_anomalies = walked->list_anomalies;
  if (options.help || options.version || options.list_anomalies) {
    return options;
  }
  if (merge) {
    options.merge = true;
    options.parts = walked->positional;
    status = cli_internal::CheckMergeOptions(walked->given, &options);
    if (!status.ok()) {
      return status;
    }
    return ReadMergeOptions(*walked, options);
  }
  absl::SetFlag(&FLAGS_read, walked->reads);
  options.inputs = absl::GetFlag(FLAGS_read);
  status = ReadLiveOptions(walked->live_switches, &options.live);
  if (!status.ok()) {
    return status;
  }
  if (options.inputs.empty() == !options.live.Active()) {
    return absl::InvalidArgumentError(
        options.inputs.empty()
            ? "no input: give -r FILE (repeat for more files; -r - reads "
              "stdin) or -i IFACE (live capture)"
            : "give either -r FILE or -i IFACE, not both");
  }
  options.filter = absl::StrJoin(walked->positional, " ");
  status = cli_internal::ReadFilterFile(absl::GetFlag(FLAGS_filter_file),
                                        &options.filter);
  if (!status.ok()) {
    return status;
  }
  options.output = absl::GetFlag(FLAGS_output);
  options.quiet = walked->quiet;
  options.summary_only = walked->summary_only;
  options.rows_given = absl::c_linear_search(walked->given, "rows");
  status = cli_internal::ReadReportOptions(walked->diagrams_given, &options);
  if (!status.ok()) {
    return status;
  }
  options.format_given = walked->format_given;
  status = cli_internal::ReadThresholds(walked->stuck_overrides, &options);
  if (!status.ok()) {
    return status;
  }
  status = cli_internal::ReadThreads(&options);
  if (!status.ok()) {
    return status;
  }
  status = ReadCiOptions(walked->fail_on, &options.ci);
  if (!status.ok()) {
    return status;
  }
  status = cli_internal::ReadReassemblyOptions(walked->no_reassembly,
                                               &options);
  if (!status.ok()) {
    return status;
  }
  status = cli_internal::ReadShardOption(walked->given, &options);
  if (!status.ok()) {
    return status;
  }
  return options;
}

}  // namespace tcpstate
