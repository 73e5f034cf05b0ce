// libFuzzer target: pcap / pcapng record reading through PcapFileSource.
// libpcap reads only from files, so each input is written to one temporary
// file (created once per process) and read back to the end or the first
// error.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "analyzer/capture/pcap_file_source.h"

namespace {

const std::string& TempPath() {
  static const std::string* path = [] {
    const char* dir = getenv("TMPDIR");
    std::string pattern = std::string(dir != nullptr ? dir : "/tmp") +
                          "/tcpstate_fuzz_pcap_XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) {
      abort();
    }
    close(fd);
    // Removed when libFuzzer exits normally (a crash leaves it for study).
    atexit([] { unlink(TempPath().c_str()); });
    return new std::string(pattern);
  }();
  return *path;
}

bool WriteAll(const std::string& path, const uint8_t* data, size_t size) {
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) {
    return false;
  }
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) {
      close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return close(fd) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = TempPath();
  if (!WriteAll(path, data, size)) {
    abort();
  }
  tcpstate::FileSourceOptions options;
  options.paths = {path};
  auto source = tcpstate::PcapFileSource::Open(options);
  if (!source.ok()) {
    return 0;
  }
  // Every record is bounded by the file size (libpcap's own caplen cap is
  // 256 KiB): a record can never be longer than the input itself.
  for (;;) {
    auto next = (*source)->Next();
    if (!next.ok() || !next->has_value()) {
      break;
    }
    const tcpstate::Frame& frame = **next;
    if (frame.bytes.size() > size) {
      abort();
    }
    volatile uint8_t sink = 0;
    for (uint8_t b : frame.bytes) {
      sink = sink ^ b;
    }
    (void)sink;
  }
  (void)(*source)->inputs();
  (void)(*source)->timestamps_backwards();
  return 0;
}
