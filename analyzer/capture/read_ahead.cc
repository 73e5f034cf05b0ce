#include "analyzer/capture/read_ahead.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

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

namespace {

// Compressed input is read in pieces of this size.
constexpr size_t kRawBytes = size_t{256} << 10;

}  // namespace

bool ReadAhead::ReadRaw() {
  if (raw_eof_) {
    return false;
  }
  if (raw_pos_ > 0) {  // keep what is left, at the front
    raw_.erase(raw_.begin(), raw_.begin() + static_cast<std::ptrdiff_t>(raw_pos_));
    raw_pos_ = 0;
  }
  const size_t have = raw_.size();
  raw_.resize(have + kRawBytes);
  while (true) {
    const ssize_t got = read(fd_, raw_.data() + have, kRawBytes);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    raw_.resize(have + static_cast<size_t>(std::max<ssize_t>(got, 0)));
    if (got <= 0) {
      raw_eof_ = true;
      raw_errno_ = got < 0 ? errno : 0;
      return false;
    }
    input_read_ += static_cast<uint64_t>(got);
    return true;
  }
}

void ReadAhead::Detect() {
  detected_ = true;
  // Six bytes tell every magic apart (a pipe may hand over fewer at once).
  while (raw_.size() < 6 && ReadRaw()) {
  }
  const Compression c = DetectCompression(raw_);
  compression_ = c;
  decoder_ = Decompressor::Make(c);
}

void ReadAhead::DecodeInto(Chunk* c, size_t want) {
  size_t filled = 0;
  while (filled < want && !decoded_all_) {
    absl::Span<const uint8_t> in(raw_.data() + raw_pos_,
                                 raw_.size() - raw_pos_);
    const size_t before = in.size();
    size_t written = 0;
    const absl::Status status = decoder_->Decode(
        &in, absl::Span<uint8_t>(c->bytes.get() + filled, want - filled),
        raw_eof_, &written, &decoded_all_);
    raw_pos_ += before - in.size();
    filled += written;
    if (!status.ok()) {
      c->damage = std::string(status.message());
      decoded_all_ = true;
      break;
    }
    if (decoded_all_ || (written == 0 && in.size() == before && raw_eof_)) {
      decoded_all_ = true;
      break;
    }
    if (written == 0 && in.size() == before) {
      // It needs more input. A pipe hands over what it has: analysed as
      // it comes once something was decoded.
      const bool more = ReadRaw();
      if (!more && raw_errno_ != 0) {
        break;
      }
      if (filled > 0 && more) {
        break;
      }
    }
  }
  c->size = filled;
  c->last = decoded_all_ || raw_errno_ != 0;
  c->error = raw_errno_;
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
  c->damage.clear();
  if (!detected_) {
    Detect();
  }
  if (decoder_ != nullptr) {
    DecodeInto(c, want);
  } else if (raw_pos_ < raw_.size()) {
    // The plain bytes read to tell the compression: handed over first.
    const size_t n = std::min(want, raw_.size() - raw_pos_);
    std::memcpy(c->bytes.get(), raw_.data() + raw_pos_, n);
    raw_pos_ += n;
    c->size = n;
    if (raw_pos_ == raw_.size()) {
      raw_.clear();
      raw_.shrink_to_fit();
      raw_pos_ = 0;
    }
  } else if (raw_eof_) {  // the input ended before six bytes
    c->last = true;
    c->error = raw_errno_;
  } else {
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
        input_read_ += c->size;
      }
      break;
    }
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
