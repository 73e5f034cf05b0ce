// The parsers of option values and the --help text.
#include <cmath>
#include <string>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tools/cli.h"
#include "tools/cli_internal.h"
#include "tools/cli_live.h"

namespace tcpstate {
namespace {

using cli_internal::DisplayName;
using cli_internal::ValueOption;
using cli_internal::ValueOptions;

// `text` word-wrapped to `width` columns, each line indented by `indent`.
std::string Wrap(absl::string_view text, size_t indent, size_t width) {
  std::string out;
  size_t column = 0;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (column > 0 && column + 1 + word.size() > width) {
      out.push_back('\n');
      column = 0;
    }
    if (column == 0) {
      out.append(indent, ' ');
      column = indent;
    } else {
      out.push_back(' ');
      ++column;
    }
    absl::StrAppend(&out, word);
    column += word.size();
  }
  return out;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDurationArg(absl::string_view text) {
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds) && std::isfinite(seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad duration '", text, "' (use e.g. 60s, 2m, 500ms, or seconds)"));
  }
  if (d < absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration '", text, "' must be finite and not negative"));
  }
  return d;
}

absl::StatusOr<ReportFormat> ParseFormat(absl::string_view text) {
  if (text == "text") {
    return ReportFormat::kText;
  }
  if (text == "json") {
    return ReportFormat::kJson;
  }
  if (text == "jsonl") {
    return ReportFormat::kJsonl;
  }
  if (text == "csv") {
    return ReportFormat::kCsv;
  }
  if (text == "zeek") {
    return ReportFormat::kZeek;
  }
  if (text == "mermaid") {
    return ReportFormat::kMermaid;
  }
  if (text == "html") {
    return ReportFormat::kHtml;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown format '", text,
      "' (use text, json, jsonl, csv, zeek, mermaid or html)"));
}

std::string UsageText() {
  std::string out =
      "Usage: tcpstate -r FILE [-r FILE]... [options] [FILTER...]\n"
      "       tcpstate -i IFACE [options] [FILTER...]   (live capture)\n"
      "       tcpstate --shard K/N -r FILE... -o PART [analysis options]\n"
      "       tcpstate merge PART... [report and CI options]\n"
      "\n"
      "Rebuilds both endpoints' TCP state machines (RFC 9293) from a capture\n"
      "and reports each connection's final states, how it got there, and\n"
      "anomalies. FILTER is a tcpdump-style BPF expression (the remaining\n"
      "arguments, joined by spaces). A capture too large for one machine is\n"
      "analysed in N --shard runs (anywhere, in any order) whose parts\n"
      "`tcpstate merge` turns into the report a single run gives.\n"
      "\n"
      "Options:\n";
  for (const ValueOption& option : ValueOptions()) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(option.name);
    std::string names =
        option.short_name.empty()
            ? absl::StrCat("--", DisplayName(option.name))
            : absl::StrCat("-", option.short_name, ", --",
                           DisplayName(option.name));
    std::string help = flag == nullptr ? "" : flag->Help();
    if (flag != nullptr && !flag->DefaultValue().empty() &&
        option.name != "read") {
      absl::StrAppend(&help, " Default: ", flag->DefaultValue(), ".");
    }
    absl::StrAppend(&out, "  ", names, " ", option.metavar, "\n",
                    Wrap(help, 6, 78), "\n");
  }
  out.append(LiveSwitchUsage());
  out.append(
      "  --list-anomalies\n"
      "      Print the anomaly catalogue (id, severity, category, definition)\n"
      "      as a Markdown table and exit.\n"
      "  --no-reassembly\n"
      "      Do not reassemble IP fragments: a first fragment is analysed\n"
      "      as a segment holding only its share of the data, the other\n"
      "      fragments are skipped.\n"
      "  -n\n"
      "      Accepted for tcpdump's habit (-n, -nn, -nr FILE): tcpstate\n"
      "      never resolves names.\n"
      "  --summary, -q\n"
      "      Text: the summary and the anomalies only (no connection table,\n"
      "      no hosts).\n"
      "  --quiet\n"
      "      No progress line on standard error (it is shown only when\n"
      "      standard error is a terminal).\n"
      "  -h, --help\n      Show this help and exit.\n"
      "  --version\n      Print the version and exit.\n"
      "\n"
      "Exit status: 0 success (and every CI check passed); 1 a CI check\n"
      "failed (--fail-on, --expect, --baseline; why goes to standard error);\n"
      "2 usage error, bad expectations or baseline file, unreadable or\n"
      "damaged input (for damaged input the report of everything before the\n"
      "damage is still written, then the error goes to standard error),\n"
      "parts that cannot be merged.\n");
  return out;
}

}  // namespace tcpstate
