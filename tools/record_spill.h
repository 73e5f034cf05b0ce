#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tcpstate {

// The rendered texts of finished connection records, kept by id until a
// report writes them in id order (--format json sorts its connections,
// which finish in another order). They go to an unnamed temporary file in
// $TMPDIR (else /tmp), written in large pieces, so memory stays at 16
// bytes per record; to memory when no temporary file can be made or
// written.
class RecordSpill {
 public:
  RecordSpill();
  ~RecordSpill();
  RecordSpill(const RecordSpill&) = delete;
  RecordSpill& operator=(const RecordSpill&) = delete;

  // Stores `text` as the record of `id` (ids from 1, each stored once).
  void Put(uint64_t id, absl::string_view text);
  // Appends the text stored for `id` to `out`. False if none was stored or
  // it cannot be read back (error() says why).
  bool Get(uint64_t id, std::string* out);

  // Ids stored: 1 up to this one may be asked for.
  uint64_t max_id() const { return entries_.size(); }
  // Whether new texts go to the temporary file (else to memory: none could
  // be made, or writing it failed).
  bool uses_file() const { return !file_failed_; }
  const std::string& error() const { return error_; }

 private:
  struct Entry {
    uint64_t offset = 0;  // in the file, or in memory_
    uint32_t length = 0;
    bool stored = false;
    bool in_memory = false;
  };
  // Writes the pending bytes to the file; on failure, moves them to memory
  // and stops using the file for new texts.
  void FlushPending();

  int fd_ = -1;
  bool file_failed_ = false;
  uint64_t file_end_ = 0;  // bytes in the file, pending included
  std::string pending_;    // bytes not yet written, at file_end_ - size
  std::string memory_;
  std::vector<Entry> entries_;  // by id - 1
  std::string error_;
};

}  // namespace tcpstate
