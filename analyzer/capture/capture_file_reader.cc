#include "analyzer/capture/capture_file_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/base/internal/endian.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analyzer/capture/dlt_map.h"

namespace tcpstate {
namespace {

// Read-ahead chunks: records are parsed in them in place.
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kChunks = 4;

constexpr uint32_t kPcapMagicMicro = 0xA1B2C3D4;
constexpr uint32_t kPcapMagicNano = 0xA1B23C4D;
constexpr uint32_t kPcapMagicModified = 0xA1B2CD34;  // Kuznetzov's patch
constexpr uint32_t kPcapngSectionHeader = 0x0A0D0D0A;
constexpr size_t kPcapFileHeader = 24;
constexpr uint32_t kDefaultSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN

uint32_t Swap32(uint32_t v) { return absl::gbswap_32(v); }

}  // namespace

CaptureFileReader::CaptureFileReader(int fd, bool owns_fd)
    : fd_(fd), owns_fd_(owns_fd) {
  struct stat st = {};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  ahead_ = std::make_unique<ReadAhead>(fd, kChunkBytes, kChunks, regular);
}

CaptureFileReader::~CaptureFileReader() {
  ahead_.reset();  // its thread may be reading fd_
  if (owns_fd_ && fd_ >= 0) {
    close(fd_);
  }
}

ReadAhead::Chunk* CaptureFileReader::TakeChunk() {
  if (eof_) {
    return nullptr;
  }
  ReadAhead::Chunk* c = ahead_->Next();
  if (c == nullptr || c->last) {
    eof_ = true;
    if (c != nullptr && c->error != 0) {
      read_errno_ = c->error;
    }
    if (c != nullptr && !c->damage.empty()) {
      damage_ = c->damage;
    }
  }
  if (c != nullptr && c->size == 0) {
    ahead_->Release(c);
    return nullptr;
  }
  return c;
}

bool CaptureFileReader::More(size_t n) {
  if (!stitched_ && start_ == end_) {
    // The chunk is used up (every record in it was returned before this
    // call): the next one.
    if (chunk_ != nullptr) {
      ahead_->Release(chunk_);
      chunk_ = nullptr;
    }
    view_offset_ += end_;
    chunk_ = TakeChunk();
    if (chunk_ == nullptr) {
      view_ = nullptr;
      start_ = end_ = 0;
      return false;
    }
    view_ = chunk_->bytes.get();
    view_offset_ = chunk_->offset;
    start_ = 0;
    end_ = chunk_->size;
    chunk_pos_ = end_;
    return true;
  }
  // A record crosses the chunk's end: its bytes so far, and then as many
  // as it needs of the next chunk, go together into stitch_.
  if (!stitched_) {
    stitch_.assign(view_ + start_, view_ + end_);
    stitched_ = true;
    chunk_pos_ = end_;  // the rest of the chunk is in stitch_ now
  } else {
    stitch_.erase(stitch_.begin(), stitch_.begin() + start_);
  }
  view_offset_ += start_;
  start_ = 0;
  if (chunk_ == nullptr || chunk_pos_ == chunk_->size) {
    if (chunk_ != nullptr) {
      ahead_->Release(chunk_);
    }
    chunk_ = TakeChunk();
    chunk_pos_ = 0;
  }
  bool more = false;
  if (chunk_ != nullptr) {
    const size_t take = std::min(n - stitch_.size(), chunk_->size - chunk_pos_);
    stitch_.insert(stitch_.end(), chunk_->bytes.get() + chunk_pos_,
                   chunk_->bytes.get() + chunk_pos_ + take);
    chunk_pos_ += take;
    more = take > 0 || chunk_pos_ == chunk_->size;
  }
  view_ = stitch_.data();
  end_ = stitch_.size();
  return more;
}

size_t CaptureFileReader::Fill(size_t n) {
  while (end_ - start_ < n && More(n)) {
  }
  return std::min(n, end_ - start_);
}

void CaptureFileReader::Consume(size_t n) {
  start_ += n;
  consumed_ = view_offset_ + start_;
  if (stitched_ && start_ == end_) {
    // Back to the chunk, after the bytes the stitched record took. The
    // stitched bytes stay valid until the next Fill.
    stitched_ = false;
    if (chunk_ != nullptr) {
      view_offset_ = chunk_->offset;
      view_ = chunk_->bytes.get();
      start_ = chunk_pos_;
      end_ = chunk_->size;
    } else {
      view_offset_ = consumed_;
      view_ = nullptr;
      start_ = end_ = 0;
    }
  }
}

uint32_t CaptureFileReader::U32(const uint8_t* p) const {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return swapped_ ? Swap32(v) : v;
}

uint16_t CaptureFileReader::U16(const uint8_t* p) const {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return swapped_ ? absl::gbswap_16(v) : v;
}

absl::StatusOr<std::unique_ptr<CaptureFileReader>> CaptureFileReader::Open(
    int fd, bool owns_fd) {
  std::unique_ptr<CaptureFileReader> r(new CaptureFileReader(fd, owns_fd));
  const size_t got = r->Fill(4);
  absl::Status status;
  if (got < 4) {
    status = absl::DataLossError(absl::StrFormat(
        "truncated dump file; tried to read 4 file header bytes, only got %d",
        got));
  } else {
    uint32_t magic;
    std::memcpy(&magic, r->At(), sizeof(magic));
    status = magic == kPcapngSectionHeader ? r->OpenPcapng()
                                           : r->OpenPcap(magic);
  }
  if (status.ok()) {
    return r;
  }
  status = r->NameReadError(std::move(status));
  if (r->oversized_) {  // the header itself declares too much
    return absl::DataLossError(absl::StrFormat("header at byte offset %d: %s",
                                  r->record_offset_, status.message()));
  }
  return absl::DataLossError(absl::StrCat("not a readable capture file",
                             got == 0 && r->read_errno_ == 0 &&
                                     r->damage_.empty()
                                 ? " (empty input)"
                                 : "",
                             ": ",
                             status.message()));
}

absl::Status CaptureFileReader::OpenPcap(uint32_t magic) {
  bool known = false;
  for (uint32_t m : {kPcapMagicMicro, kPcapMagicNano, kPcapMagicModified}) {
    if (magic == m || magic == Swap32(m)) {
      known = true;
      swapped_ = magic != m;
      nanoseconds_ = m == kPcapMagicNano;
      record_header_ = m == kPcapMagicModified ? 24 : 16;
    }
  }
  if (!known) {
    return absl::DataLossError("unknown file format");
  }
  const size_t got = Fill(kPcapFileHeader);
  if (got < kPcapFileHeader) {
    // libpcap counts the bytes after the magic number.
    return absl::DataLossError(absl::StrFormat(
        "truncated dump file; tried to read %d file header bytes, only got %d",
        kPcapFileHeader, got - 4));
  }
  const uint8_t* h = At();
  const uint16_t major = U16(h + 4);
  const uint16_t minor = U16(h + 6);
  if (major < 2) {
    return absl::DataLossError("archaic pcap savefile format");
  }
  if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0))) {
    return absl::DataLossError(absl::StrFormat("unsupported pcap savefile version %d.%d",
                                  major, minor));
  }
  snaplen_ = U32(h + 16);
  if (snaplen_ == 0 || snaplen_ > kDefaultSnaplen) {
    snaplen_ = kDefaultSnaplen;
  }
  dlt_ = DltFromLinktype(U32(h + 20));
  Consume(kPcapFileHeader);
  return absl::OkStatus();
}

absl::StatusOr<bool> CaptureFileReader::Next(CaptureRecord* record) {
  absl::StatusOr<bool> next = pcapng_ ? NextPcapng(record) : NextPcap(record);
  if (!next.ok()) {
    return NameReadError(next.status());
  }
  if (!*next && (read_errno_ != 0 || !damage_.empty())) {
    // The data ended on a record boundary, but only because reading or
    // decompressing it failed there: not a clean end.
    return NameReadError(absl::DataLossError("the input ends here"));
  }
  return next;
}

uint64_t CaptureFileReader::input_consumed() const {
  // Compressed: the compressed bytes read (the file's size is the total).
  return ahead_->compression() == Compression::kNone ? consumed_
                                                     : ahead_->input_read();
}

Compression CaptureFileReader::compression() const {
  return ahead_->compression();
}

absl::Status CaptureFileReader::Oversized(const char* what,
                                          uint64_t declared) {
  oversized_ = true;
  return absl::DataLossError(
      absl::StrFormat("%s declares %d bytes, over tcpstate's limit of %d",
                      what, declared, kMaxBlockBytes));
}

absl::Status CaptureFileReader::NameReadError(absl::Status damage) const {
  if (!damage_.empty()) {
    // The decompressed data only looked cut short: the compressed data
    // is damaged there.
    return absl::DataLossError(damage_);
  }
  if (read_errno_ == 0) {
    return damage;
  }
  // The input looked cut short because reading it failed: say so.
  return absl::DataLossError(absl::StrCat("read error: ", std::strerror(read_errno_)));
}

absl::StatusOr<bool> CaptureFileReader::NextPcap(CaptureRecord* record) {
  record_offset_ = consumed_;
  const size_t got = Fill(record_header_);
  if (got == 0) {
    return false;
  }
  if (got < record_header_) {
    return absl::DataLossError(absl::StrFormat(
        "truncated dump file; tried to read %d header bytes, only got %d",
        record_header_, got));
  }
  const uint8_t* h = At();
  const uint32_t sec = U32(h);
  const uint32_t frac = U32(h + 4);
  const uint32_t caplen = U32(h + 8);
  const uint32_t len = U32(h + 12);
  if (caplen > kMaxBlockBytes) {
    return Oversized("record", caplen);
  }
  const size_t want = record_header_ + caplen;
  const size_t have = Fill(want);
  if (have < want) {
    return absl::DataLossError(absl::StrFormat(
        "truncated dump file; tried to read %d captured bytes, only got %d",
        caplen, have - record_header_));
  }
  // libpcap hands over at most the snaplen and skips the rest.
  const uint32_t kept = std::min(caplen, snaplen_);
  record->timestamp = absl::FromUnixSeconds(sec) +
                      absl::Nanoseconds(nanoseconds_ ? frac : uint64_t{frac} * 1000);
  record->wire_length = len;
  record->data = absl::Span<const uint8_t>(At() + record_header_, kept);
  Consume(want);
  return true;
}

}  // namespace tcpstate
