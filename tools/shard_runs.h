#pragma once

#include "absl/strings/string_view.h"
#include "tools/cli.h"

namespace tcpstate {

// tcpstate --shard K/N -r FILE... [-o PART]: analyses shard K of N and
// writes its part (analyzer/part_file.h). Returns the exit code.
int RunShard(const CliOptions& options, absl::string_view version);

// tcpstate merge PART... : checks that the parts belong together (the same
// inputs, options, shard count and tcpstate; every shard once), replays
// them in a single table's order, and reports as a single run would.
int RunMerge(const CliOptions& options, absl::string_view version);

}  // namespace tcpstate
