#include "analyzer/capture/read_ahead.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tcpstate {

ReadAhead::ReadAhead(int fd, size_t chunk_bytes, size_t chunks,
                     bool threaded)
    : fd_(fd), chunk_bytes_(chunk_bytes), storage_(chunks) {
  for (Chunk& c : storage_) {
    free_.push_back(&c);
  }
  if (threaded) {
    thread_ = std::thread([this] { Run(); });
  }
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void ReadAhead::ReadInto(Chunk* c, uint64_t* offset) {
  // As much as the input gave so far, within the bounds: reads grow while
  // the input keeps yielding.
  const size_t want = static_cast<size_t>(std::clamp<uint64_t>(
      *offset, std::min(kFirstChunk, chunk_bytes_), chunk_bytes_));
  if (c->capacity < want) {
    c->bytes.reset(new uint8_t[want]);  // not zeroed: not touched
    c->capacity = want;
  }
  c->size = 0;
  c->offset = *offset;
  c->last = false;
  c->error = 0;
  // One read: a pipe hands over what it holds now (a capture still being
  // written is analysed as it comes), a file a whole chunk.
  while (true) {
    const ssize_t got = read(fd_, c->bytes.get(), want);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      c->last = true;
      c->error = got < 0 ? errno : 0;
    } else {
      c->size = static_cast<size_t>(got);
    }
    break;
  }
  *offset += c->size;
}

void ReadAhead::Run() {
  uint64_t offset = 0;
  while (true) {
    Chunk* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
      if (stop_) {
        return;
      }
      c = free_.front();
      free_.pop_front();
    }
    ReadInto(c, &offset);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(c);
    }
    changed_.notify_all();
    if (c->last) {
      return;
    }
  }
}

ReadAhead::Chunk* ReadAhead::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (last_taken_) {
    return nullptr;
  }
  if (!thread_.joinable()) {  // unthreaded: read now
    Chunk* c = free_.front();  // the caller holds at most two
    free_.pop_front();
    lock.unlock();
    ReadInto(c, &offset_);
    last_taken_ = c->last;
    return c;
  }
  changed_.wait(lock, [this] { return !ready_.empty(); });
  Chunk* c = ready_.front();
  ready_.pop_front();
  last_taken_ = c->last;
  return c;
}

void ReadAhead::Release(Chunk* chunk) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(chunk);
  }
  changed_.notify_all();
}

}  // namespace tcpstate
