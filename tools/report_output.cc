#include "tools/report_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "absl/status/status.h"

namespace tcpstate {

bool WidenPipe(int fd) {
#ifdef F_SETPIPE_SZ
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    return false;
  }
  if (fcntl(fd, F_GETPIPE_SZ) >= kReportPipeBytes) {
    return true;
  }
  // Refused above /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE: the
  // pipe keeps its size.
  return fcntl(fd, F_SETPIPE_SZ, kReportPipeBytes) >= kReportPipeBytes;
#else
  (void)fd;
  return false;
#endif
}

absl::StatusOr<std::ostream*> OpenReportOutput(const std::string& path,
                                               std::ofstream& file) {
  if (path.empty()) {
    WidenPipe(STDOUT_FILENO);  // best effort
    return &std::cout;
  }
  file.open(path, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!file) {
    return absl::UnavailableError("cannot open output file '" + path + "'");
  }
  return &file;
}

}  // namespace tcpstate
