// The habits of tcpdump users the command line honours: -n (tcpstate never
// resolves names) clustered with other short options, and -F FILE.

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/cli_internal.h"

namespace tcpstate {
namespace cli_internal {

std::vector<std::string> SplitShortCluster(
    const std::string& arg,
    const std::function<bool(const std::string&)>& is_option) {
  std::vector<std::string> out;
  if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-' || is_option(arg)) {
    return out;
  }
  // Leading switches that cluster: -n (names: never resolved) and -p (not
  // promiscuous, live); then at most one more short option, with its
  // value attached or in the next argument.
  size_t i = 1;
  while (i < arg.size() && (arg[i] == 'n' || arg[i] == 'p')) {
    out.push_back(std::string("-") + arg[i]);
    ++i;
  }
  if (!out.empty() && i < arg.size()) {
    out.push_back("-" + arg.substr(i));
  }
  return out;
}

absl::Status ReadFilterFile(const std::string& path, std::string* filter) {
  if (path.empty()) {
    return absl::OkStatus();
  }
  if (!filter->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "-F ", path, ": give the filter in the file or on the command line, "
        "not both (the command line has '", *filter, "')"));
  }
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("-F ", path, ": cannot read the filter file"));
  }
  std::vector<std::string> words;
  for (std::string line; std::getline(in, line);) {
    for (absl::string_view w : absl::StrSplit(line, absl::ByAnyChar(" \t\r"),
                                              absl::SkipEmpty())) {
      words.emplace_back(w);
    }
  }
  *filter = absl::StrJoin(words, " ");
  return absl::OkStatus();
}

}  // namespace cli_internal
}  // namespace tcpstate
