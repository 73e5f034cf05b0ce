#pragma once

// For the fuzz targets whose code under test reads files: each input is
// written to one temporary file per process ($TMPDIR, else /tmp), removed
// when libFuzzer exits normally (a crash leaves it for study).

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace tcpstate_fuzz {

// Writes `data` to the process's temporary file and returns its path;
// aborts if it cannot (the fuzzer would test nothing).
inline const std::string& WriteInputFile(const char* prefix,
                                         const uint8_t* data, size_t size) {
  static const std::string* path = [prefix] {
    const char* dir = getenv("TMPDIR");
    std::string pattern = std::string(dir != nullptr ? dir : "/tmp") + "/" +
                          prefix + "_XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) {
      abort();
    }
    close(fd);
    static std::string* made = new std::string(pattern);
    atexit([] { unlink(made->c_str()); });
    return made;
  }();
  const int fd = open(path->c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) {
    abort();
  }
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) {
      abort();
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    abort();
  }
  return *path;
}

}  // namespace tcpstate_fuzz
