// libFuzzer target: `tcpstate merge` input. Each input is read as a part
// file (PartReader over a temporary file, then ReplayParts into a
// ShardMerge and its collector, as the merge does) and, separately, its
// bytes are decoded as one ConnectionRecord. A damaged part must end in a
// named error or in records that replay: never a crash, a hang or a huge
// allocation.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "analyzer/analyzer.h"
#include "analyzer/part_codec.h"
#include "analyzer/part_file.h"
#include "analyzer/shard_merge.h"

namespace {

const std::string& TempPath() {
  static const std::string* path = [] {
    const char* dir = getenv("TMPDIR");
    std::string pattern = std::string(dir != nullptr ? dir : "/tmp") +
                          "/tcpstate_fuzz_part_XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) {
      abort();
    }
    close(fd);
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
  {
    tcpstate::PartDecoder d(absl::MakeConstSpan(data, size));
    tcpstate::ConnectionRecord rec;
    tcpstate::DecodeRecord(d, &rec);
  }
  if (!WriteAll(TempPath(), data, size)) {
    abort();
  }
  absl::StatusOr<std::unique_ptr<tcpstate::PartReader>> reader =
      tcpstate::PartReader::Open(TempPath());
  if (!reader.ok()) {
    return 0;
  }
  const tcpstate::PartTrailer& t = (*reader)->trailer();
  tcpstate::AnalyzerOptions options;
  tcpstate::ShardMerge merge(tcpstate::CollectorOptionsOf(options), nullptr, 1);
  if (tcpstate::ReplayParts({reader->get()}, t.summary.last_packet_time, merge)
          .ok()) {
    merge.collector().Finish(t.summary, t.created);
  }
  return 0;
}
