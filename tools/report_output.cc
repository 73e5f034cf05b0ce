#include "tools/report_output.h"

#include <iostream>

#include "absl/status/status.h"

namespace tcpstate {

absl::StatusOr<std::ostream*> OpenReportOutput(const std::string& path,
                                               std::ofstream& file) {
  if (path.empty()) {
    return &std::cout;
  }
  file.open(path, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!file) {
    return absl::UnavailableError("cannot open output file '" + path + "'");
  }
  return &file;
}

}  // namespace tcpstate
