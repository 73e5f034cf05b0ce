#pragma once

#include <fstream>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"

namespace tcpstate {

// Where the report goes: `path` (created or truncated, through `file`,
// which must outlive the returned stream) or, when `path` is empty,
// standard output (a pipe widened with WidenPipe). Shared by the offline and
// the live runs.
// The pipe size WidenPipe asks for: 1 MiB, Linux's default
// /proc/sys/fs/pipe-max-size.
inline constexpr int kReportPipeBytes = 1 << 20;

// Where `fd` is a pipe smaller than kReportPipeBytes (64 KiB by default),
// widens it, so that report rows written in 256 KiB pieces do not wait for
// the reader (`tcpstate ... | jq`) several times each. True if the pipe
// now holds kReportPipeBytes; false if `fd` is no pipe or it was refused.
bool WidenPipe(int fd);

absl::StatusOr<std::ostream*> OpenReportOutput(const std::string& path,
                                               std::ofstream& file);

}  // namespace tcpstate
