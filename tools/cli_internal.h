#pragma once

// Shared by the command-line parser (cli.cc) and its usage text
// (cli_usage.cc); not part of the CLI's interface.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace tcpstate {

struct CliOptions;

namespace cli_internal {

// A flag name as users type it: "time_wait" -> "time-wait".
std::string DisplayName(absl::string_view name);

// The option values tools/cli_values.cc reads from their flags, into
// `options`: durations, stuck-state overrides ("KIND=DUR", in order),
// syn_flood thresholds and the table caps; --threads; --format, --rows,
// --connection and --diagrams (`diagrams_given`: it was on the command
// line), which only go with some formats.
absl::Status ReadThresholds(const std::vector<std::string>& stuck_overrides,
                            CliOptions* options);
absl::Status ReadThreads(CliOptions* options);
absl::Status ReadReportOptions(bool diagrams_given, CliOptions* options);

// --no-reassembly (`disabled`) and the --reassembly-* limits into
// options->reassembly (cli_reassembly.cc).
absl::Status ReadReassemblyOptions(bool disabled, CliOptions* options);

// tcpdump habits (cli_tcpdump.cc). -n clustered with other short options
// (-nr FILE, -nnr FILE, -nc 10, -pn): one argument per option; empty when
// `arg` is no such cluster or `is_option(arg)` (an option of its own).
std::vector<std::string> SplitShortCluster(
    const std::string& arg,
    const std::function<bool(const std::string&)>& is_option);
// -F FILE (`path`; empty: none): the filter expression in FILE, its lines
// joined, into *filter, which must be empty (none on the command line).
absl::Status ReadFilterFile(const std::string& path, std::string* filter);

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
