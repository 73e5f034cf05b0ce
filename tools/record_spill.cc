#include "tools/record_spill.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tcpstate {
namespace {

constexpr size_t kWriteBytes = size_t{1} << 20;

// An unnamed file in $TMPDIR (else /tmp): made, then unlinked at once, so
// nothing is left behind whatever happens; -1 if none can be made.
int OpenUnnamedFile() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = absl::StrCat(dir != nullptr && dir[0] != '\0' ? dir : "/tmp",
                                  "/tcpstate-records-XXXXXX");
  const int fd = mkstemp(path.data());
  if (fd >= 0) {
    unlink(path.c_str());
  }
  return fd;
}

}  // namespace

RecordSpill::RecordSpill() : fd_(OpenUnnamedFile()) {
  file_failed_ = fd_ < 0;
}

RecordSpill::~RecordSpill() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

void RecordSpill::FlushPending() {
  size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (done == pending_.size()) {
    pending_.clear();
    return;
  }
  // The disk is full (or failing): every text not wholly written moves to
  // memory (all of them are in pending_: earlier pieces were written
  // whole), and later texts stay there.
  const uint64_t pending_start = file_end_ - pending_.size();
  const uint64_t written_end = pending_start + done;
  uint64_t lost_from = file_end_;
  for (const Entry& e : entries_) {
    if (e.stored && !e.in_memory && e.offset + e.length > written_end) {
      lost_from = std::min(lost_from, e.offset);
    }
  }
  for (Entry& e : entries_) {
    if (e.stored && !e.in_memory && e.offset >= lost_from) {
      e.offset = memory_.size() + (e.offset - lost_from);
      e.in_memory = true;
    }
  }
  memory_.append(pending_, static_cast<size_t>(lost_from - pending_start),
                 std::string::npos);
  pending_.clear();
  file_end_ = lost_from;
  file_failed_ = true;
}

void RecordSpill::Put(uint64_t id, absl::string_view text) {
  if (id == 0) {
    return;
  }
  if (entries_.size() < id) {
    entries_.resize(id);
  }
  Entry& e = entries_[id - 1];
  e.stored = true;
  e.length = static_cast<uint32_t>(text.size());
  if (file_failed_) {
    e.in_memory = true;
    e.offset = memory_.size();
    memory_.append(text.data(), text.size());
    return;
  }
  e.in_memory = false;
  e.offset = file_end_;
  pending_.append(text.data(), text.size());
  file_end_ += text.size();
  if (pending_.size() >= kWriteBytes) {
    FlushPending();
  }
}

bool RecordSpill::Get(uint64_t id, std::string* out) {
  if (id == 0 || id > entries_.size() || !entries_[id - 1].stored) {
    error_ = absl::StrCat("connection ", id, " was never stored");
    return false;
  }
  const Entry e = entries_[id - 1];
  if (e.in_memory) {
    out->append(memory_, e.offset, e.length);
    return true;
  }
  if (!pending_.empty()) {
    FlushPending();
    return Get(id, out);  // it may have moved to memory
  }
  const size_t start = out->size();
  out->resize(start + e.length);
  size_t done = 0;
  while (done < e.length) {
    const ssize_t n = pread(fd_, &(*out)[start + done], e.length - done,
                            static_cast<off_t>(e.offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      out->resize(start);
      error_ = absl::StrCat(
          "cannot read back connection records from the temporary file: ",
          n < 0 ? std::strerror(errno) : "it ended early");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace tcpstate
