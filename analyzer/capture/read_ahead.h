#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "analyzer/capture/decompress.h"

namespace tcpstate {

// Reads a file descriptor ahead, on a thread of its own, into a few large
// chunks that the parser reads in place: the kernel's copy into user
// memory (about a fifth of reading a capture) runs beside the analysis
// instead of before it. Chunks start at kFirstChunk bytes and grow with the
// input, up to `chunk_bytes`: a small or damaged file costs little.
class ReadAhead {
 public:
  static constexpr size_t kFirstChunk = size_t{64} << 10;

  struct Chunk {
    std::unique_ptr<uint8_t[]> bytes;
    size_t capacity = 0;
    size_t size = 0;      // bytes read into it
    uint64_t offset = 0;  // where in the input they start
    bool last = false;    // the input ends here (end of file or error)
    int error = 0;        // the errno of a failed read(), with `last`
    std::string damage;   // compressed input that does not decode, with
                          // `last`
  };

  // `threaded`: read on a thread of its own (regular files: a read ends
  // soon). Otherwise (pipes, terminals, where a read may wait for ever)
  // Next() reads, on the caller's thread.
  ReadAhead(int fd, size_t chunk_bytes, size_t chunks, bool threaded);
  ~ReadAhead();  // stops the thread and waits for it
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next chunk in input order; null once the last one was taken.
  // Compressed input (gzip, zstd, xz: by its magic) comes decompressed.
  Chunk* Next();
  // Hands a chunk taken from Next() back for reuse.
  void Release(Chunk* chunk);

  // The compression the input was found in (known once a chunk was
  // taken), and the input bytes read so far (compressed, when it is).
  Compression compression() const { return compression_.load(); }
  uint64_t input_read() const { return input_read_.load(); }

 private:
  void Run();
  // Reads into `c` until it is full or the input ends; `offset` moves on.
  void ReadInto(Chunk* c, uint64_t* offset);
  // One read() into raw_ after what it holds; false at the end or an error
  // (then raw_errno_).
  bool ReadRaw();
  // The first bytes: which compression, if any.
  void Detect();
  // Fills `c` (up to `want` bytes) with decompressed bytes.
  void DecodeInto(Chunk* c, size_t want);

  int fd_;
  size_t chunk_bytes_;
  std::vector<Chunk> storage_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Chunk*> free_;
  std::deque<Chunk*> ready_;
  bool stop_ = false;
  bool last_taken_ = false;  // Next() returned it
  uint64_t offset_ = 0;      // unthreaded: where the next read starts
  // Read by the reading thread (or Next()'s caller) only, but for the two
  // atomics.
  bool detected_ = false;
  std::atomic<Compression> compression_{Compression::kNone};
  std::unique_ptr<Decompressor> decoder_;
  std::vector<uint8_t> raw_;  // input bytes not yet used: [raw_pos_, end)
  size_t raw_pos_ = 0;
  bool raw_eof_ = false;
  int raw_errno_ = 0;
  bool decoded_all_ = false;
  std::atomic<uint64_t> input_read_{0};
  std::thread thread_;       // threaded only
};

}  // namespace tcpstate
