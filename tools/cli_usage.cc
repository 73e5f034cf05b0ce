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
#include "tools/cli_options.h"

namespace tcpstate {
namespace {

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
  std::string out;
  absl::string_view prefix = "Usage: ";
  for (absl::string_view line : SynopsisLines()) {
    absl::StrAppend(&out, prefix, line, "\n");
    prefix = "       ";
  }
  absl::StrAppend(&out, "\n", Wrap(Description(), 0, 74), "\n");
  for (OptionGroup group : Groups()) {
    absl::StrAppend(&out, "\n", GroupTitle(group), ":\n");
    for (const OptionSpec& spec : Options()) {
      if (spec.group != group) {
        continue;
      }
      absl::StrAppend(&out, "  ", OptionNames(spec),
                      spec.metavar.empty() ? "" : " ", spec.metavar, "\n",
                      Wrap(OptionHelp(spec), 6, 78), "\n");
    }
  }
  out.append("\nExit status:\n");
  for (const auto& [code, meaning] : ExitStatuses()) {
    absl::StrAppend(&out, "  ", code, "\n", Wrap(meaning, 6, 78), "\n");
  }
  out.append("\nMore: man tcpstate, and the docs/ directory of the source "
             "(docs/cli.md).\n");
  return out;
}

}  // namespace tcpstate
