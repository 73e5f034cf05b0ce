#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

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
  };

  // `threaded`: read on a thread of its own (regular files: a read ends
  // soon). Otherwise (pipes, terminals, where a read may wait for ever)
  // Next() reads, on the caller's thread.
  ReadAhead(int fd, size_t chunk_bytes, size_t chunks, bool threaded);
  ~ReadAhead();  // stops the thread and waits for it
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next chunk in input order; null once the last one was taken.
  Chunk* Next();
  // Hands a chunk taken from Next() back for reuse.
  void Release(Chunk* chunk);

 private:
  void Run();
  // Reads into `c` until it is full or the input ends; `offset` moves on.
  void ReadInto(Chunk* c, uint64_t* offset);

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
  std::thread thread_;       // threaded only
};

}  // namespace tcpstate
