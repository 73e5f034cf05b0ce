#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "analyzer/capture/pcap_file_source.h"
#include "dissectors/link_type.h"

namespace tcpstate {
namespace capture_testutil {

// A copy of what a Frame said; Frame itself borrows the reader's buffer.
struct FrameCopy {
  uint64_t number = 0;
  uint32_t input_index = 0;
  absl::Time timestamp;
  uint32_t wire_length = 0;
  LinkType link = LinkType::kEthernet;
  std::string bytes;
};

struct ReadResult {
  std::vector<FrameCopy> frames;
  absl::Status status;  // OK at the clean end, else the error from Next()
};

// Calls Next() until the end or an error.
ReadResult ReadAll(PcapFileSource& source);

// Opens `options` and reads everything; an Open() error lands in `status`.
ReadResult OpenAndReadAll(const FileSourceOptions& options);

// Puts a pipe pre-filled with `contents` on standard input (fd 0) for the
// lifetime of the object, then restores the original standard input.
// `contents` must fit in the pipe buffer (64 KiB on Linux).
class ScopedStdin {
 public:
  explicit ScopedStdin(const std::string& contents);
  ~ScopedStdin();
  ScopedStdin(const ScopedStdin&) = delete;
  ScopedStdin& operator=(const ScopedStdin&) = delete;

 private:
  int saved_fd_ = -1;
};

}  // namespace capture_testutil
}  // namespace tcpstate
