#pragma once

#include <fstream>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"

namespace tcpstate {

// Where the report goes: `path` (created or truncated, through `file`,
// which must outlive the returned stream) or, when `path` is empty,
// standard output. Shared by the offline and the live runs.
absl::StatusOr<std::ostream*> OpenReportOutput(const std::string& path,
                                               std::ofstream& file);

}  // namespace tcpstate
