// --shard K/N and `tcpstate merge PART...`: which options each takes.

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/cli.h"
#include "tools/cli_internal.h"

ABSL_FLAG(std::string, shard, "", "");

namespace tcpstate {
namespace cli_internal {
namespace {

constexpr uint64_t kMaxShards = 65536;

// The options a merge takes: the report's and the CI checks'.
bool MergeTakes(absl::string_view name) {
  for (absl::string_view ok :
       {"format", "output", "connection", "diagrams", "rows", "summary", "q",
        "quiet", "fail_on",
        "fail_on_severity", "expect", "junit", "baseline", "write_baseline",
        "help", "h"}) {
    if (name == ok) {
      return true;
    }
  }
  return false;
}

// The options a --shard run refuses: they belong to the merge.
bool ShardRefuses(absl::string_view name) {
  for (absl::string_view no :
       {"format", "connection", "diagrams", "rows", "summary", "q", "fail_on",
        "fail_on_severity",
        "expect", "junit", "baseline", "write_baseline", "threads"}) {
    if (name == no) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status ReadShardOption(const std::vector<std::string>& given,
                             CliOptions* options) {
  const std::string text = absl::GetFlag(FLAGS_shard);
  if (text.empty()) {
    return absl::OkStatus();
  }
  const std::vector<std::string> parts = absl::StrSplit(text, '/');
  uint64_t k = 0;
  uint64_t n = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &k) ||
      !absl::SimpleAtoi(parts[1], &n) || n == 0 || n > kMaxShards || k >= n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard: '", text, "' is not K/N with 0 <= K < N <= ", kMaxShards,
        " (e.g. --shard 0/4 ... --shard 3/4)"));
  }
  if (options->live.Active()) {
    return absl::InvalidArgumentError(
        "--shard reads files: every shard reads the whole input, which a "
        "live capture cannot give twice (use --threads N on an interface)");
  }
  for (const std::string& name : given) {
    if (ShardRefuses(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", DisplayName(name),
          " is for the report: give it to `tcpstate merge PART...`"));
    }
  }
  options->shard = k;
  options->shards = n;
  return absl::OkStatus();
}

absl::Status CheckMergeOptions(const std::vector<std::string>& given,
                               CliOptions* options) {
  for (const std::string& name : given) {
    if (!MergeTakes(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "merge: --", DisplayName(name),
          " is not a merge option (analysis options and inputs go to the "
          "--shard K/N runs; a merge takes the parts, the report and CI "
          "options)"));
    }
  }
  if (options->parts.empty()) {
    return absl::InvalidArgumentError(
        "merge: no parts: give the files the --shard K/N runs wrote "
        "(tcpstate merge PART... [--format F] [-o FILE])");
  }
  return absl::OkStatus();
}

}  // namespace cli_internal
}  // namespace tcpstate
