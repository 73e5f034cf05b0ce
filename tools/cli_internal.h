#pragma once

// Shared by the command-line parser (cli.cc) and its usage text
// (cli_usage.cc); not part of the CLI's interface.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace tcpstate {

struct CliOptions;

namespace cli_internal {

// An option taking a value: canonical flag name, value name, short alias.
struct ValueOption {
  absl::string_view name;
  absl::string_view metavar;
  absl::string_view short_name;  // "" if none
};

// Every option that takes a value, in the order --help lists them.
absl::Span<const ValueOption> ValueOptions();

// A flag name as users type it: "time_wait" -> "time-wait".
std::string DisplayName(absl::string_view name);

// --no-reassembly (`disabled`) and the --reassembly-* limits into
// options->reassembly (cli_reassembly.cc).
absl::Status ReadReassemblyOptions(bool disabled, CliOptions* options);

// --shard K/N into options->shard(s); `given`: the options on the command
// line (canonical names), some of which belong to the merge instead
// (cli_shard.cc).
absl::Status ReadShardOption(const std::vector<std::string>& given,
                             CliOptions* options);
// `tcpstate merge`: only report and CI options, and at least one part.
absl::Status CheckMergeOptions(const std::vector<std::string>& given,
                               CliOptions* options);

}  // namespace cli_internal
}  // namespace tcpstate
