#include "tests/analyzer/capture/source_reader_testutil.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace tcpstate {
namespace capture_testutil {

ReadResult ReadAll(PcapFileSource& source) {
  ReadResult result;
  // Bounded so that a source that never ends fails instead of hanging.
  for (int i = 0; i < 100000; ++i) {
    absl::StatusOr<std::optional<Frame>> next = source.Next();
    if (!next.ok()) {
      result.status = next.status();
      return result;
    }
    if (!next->has_value()) {
      return result;
    }
    const Frame& frame = **next;
    FrameCopy copy;
    copy.number = frame.number;
    copy.input_index = frame.input_index;
    copy.timestamp = frame.timestamp;
    copy.wire_length = frame.wire_length;
    copy.link = frame.link;
    copy.bytes.assign(reinterpret_cast<const char*>(frame.bytes.data()),
                      frame.bytes.size());
    result.frames.push_back(std::move(copy));
  }
  ADD_FAILURE() << "source did not end";
  return result;
}

ReadResult OpenAndReadAll(const FileSourceOptions& options) {
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open(options);
  if (!source.ok()) {
    ReadResult result;
    result.status = source.status();
    return result;
  }
  return ReadAll(**source);
}

ScopedStdin::ScopedStdin(const std::string& contents) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  const ssize_t written = write(fds[1], contents.data(), contents.size());
  EXPECT_EQ(written, static_cast<ssize_t>(contents.size()));
  close(fds[1]);
  saved_fd_ = dup(STDIN_FILENO);
  EXPECT_GE(saved_fd_, 0);
  EXPECT_EQ(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  close(fds[0]);
}

ScopedStdin::~ScopedStdin() {
  if (saved_fd_ >= 0) {
    dup2(saved_fd_, STDIN_FILENO);
    close(saved_fd_);
  }
}

}  // namespace capture_testutil
}  // namespace tcpstate
