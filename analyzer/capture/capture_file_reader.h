#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "analyzer/capture/read_ahead.h"

namespace tcpstate {

// One record of a capture file. `data` is borrowed: valid until the next
// call to CaptureFileReader::Next().
struct CaptureRecord {
  absl::Time timestamp;
  uint32_t wire_length = 0;
  absl::Span<const uint8_t> data;  // captured bytes, at most the snaplen
};

// Reads pcap (microsecond or nanosecond, either byte order, and the
// "modified" 24-byte record headers) and pcapng files, also compressed
// with gzip, zstd or xz (recognised by their magic; byte offsets in errors
// are then offsets in the decompressed data), with its own
// bounds-checked parser over large reads of the file (ReadAhead: a thread
// reads a regular file ahead): no per-record system call, no copy of the
// record. Byte offsets in errors are exact, for pcapng
// too. Behaves as libpcap's savefile reader does where a file is valid
// (records longer than the snaplen are cut to it; pcapng interface
// timestamp resolution and offset; unknown blocks skipped) and names
// damage with libpcap's messages.
//
// No record or block may declare more than kMaxBlockBytes (libpcap's own
// limit for pcap records), so a small damaged file cannot make it allocate
// much: the buffer is fixed.
class CaptureFileReader {
 public:
  static constexpr uint32_t kMaxBlockBytes = 256 * 1024;

  // Reads the file header (pcap) or the first section and its interfaces
  // (pcapng) from `fd`, closed at destruction when `owns_fd`. Errors are
  // DataLoss; the message is what follows "<file>: " in tcpstate's output:
  // "not a readable capture file[ (empty input)]: <reason>", or "header at
  // byte offset N: <reason>" for a header over the size limit.
  static absl::StatusOr<std::unique_ptr<CaptureFileReader>> Open(int fd,
                                                                 bool owns_fd);
  ~CaptureFileReader();
  CaptureFileReader(const CaptureFileReader&) = delete;
  CaptureFileReader& operator=(const CaptureFileReader&) = delete;

  // The file's link type as a libpcap DLT_ value, and its snaplen.
  int dlt() const { return dlt_; }
  uint32_t snaplen() const { return snaplen_; }
  bool pcapng() const { return pcapng_; }

  // The next record: true, false at the clean end of the file, or a
  // DataLoss error whose message is the reason alone; record_offset() then
  // says where the damaged record or block starts.
  absl::StatusOr<bool> Next(CaptureRecord* record);

  // Where the last record returned (or the damage) starts, and the bytes
  // consumed so far (the end of the last record or block read).
  uint64_t record_offset() const { return record_offset_; }
  uint64_t consumed() const { return consumed_; }
  // For progress: consumed(), or for compressed input the compressed bytes
  // read so far. And the compression (known once Open() returned).
  uint64_t input_consumed() const;
  Compression compression() const;

 private:
  struct Interface {
    int dlt = 0;
    uint32_t snaplen = 0;
    // Timestamp units per second, and the offset added (seconds).
    uint64_t units_per_second = 1000000;
    int64_t offset_seconds = 0;
  };

  CaptureFileReader(int fd, bool owns_fd);
  // `damage` or, when a read() failed, the read error instead (the data
  // only looked cut short).
  absl::Status NameReadError(absl::Status damage) const;
  // The damage of a record or block over kMaxBlockBytes (noted, so that an
  // oversized header is named as such).
  absl::Status Oversized(const char* what, uint64_t declared);

  // Makes `n` bytes from the read position available; returns how many
  // there are (fewer only at the end of the input).
  size_t Fill(size_t n);
  // One step of Fill: the next chunk once this one is used up, or a record
  // that crosses into the next chunk copied together. False at the end.
  bool More(size_t n);
  ReadAhead::Chunk* TakeChunk();
  const uint8_t* At() const { return view_ + start_; }
  void Consume(size_t n);
  uint32_t U32(const uint8_t* p) const;
  uint16_t U16(const uint8_t* p) const;

  absl::Status OpenPcap(uint32_t magic);
  absl::Status OpenPcapng();
  absl::StatusOr<bool> NextPcap(CaptureRecord* record);
  absl::StatusOr<bool> NextPcapng(CaptureRecord* record);
  // Reads one whole pcapng block at the read position into `block` (which
  // stays valid until the next read); false at the clean end.
  absl::StatusOr<bool> ReadBlock(absl::Span<const uint8_t>* block,
                                 uint32_t* type);
  absl::Status OnSectionHeader(absl::Span<const uint8_t> block);
  absl::Status OnInterface(absl::Span<const uint8_t> block);
  // A packet block's contents once its interface and lengths are known.
  absl::StatusOr<bool> PacketOf(uint32_t interface, uint64_t ts,
                                uint32_t caplen, uint32_t wire_length,
                                const uint8_t* data, CaptureRecord* record);

  int fd_;
  bool owns_fd_;
  bool eof_ = false;
  int read_errno_ = 0;
  std::string damage_;  // compressed input that does not decode
  // Records are parsed in place in the read-ahead chunks; one that crosses
  // from a chunk into the next is copied into `stitch_` whole.
  std::unique_ptr<ReadAhead> ahead_;
  ReadAhead::Chunk* chunk_ = nullptr;  // the chunk being parsed
  size_t chunk_pos_ = 0;               // stitched: the chunk's next byte
  std::vector<uint8_t> stitch_;
  bool stitched_ = false;              // the view is stitch_
  const uint8_t* view_ = nullptr;      // the chunk's bytes or stitch_
  size_t start_ = 0;                   // read position in the view
  size_t end_ = 0;                     // end of the bytes in the view
  uint64_t view_offset_ = 0;           // input offset of view_[0]

  bool pcapng_ = false;
  bool swapped_ = false;  // the file's byte order is not the host's
  bool nanoseconds_ = false;
  size_t record_header_ = 16;  // pcap: 24 for the "modified" format
  int dlt_ = 0;
  uint32_t snaplen_ = 0;
  std::vector<Interface> interfaces_;  // pcapng, current section
  uint64_t record_offset_ = 0;
  uint64_t consumed_ = 0;
  bool oversized_ = false;  // the damage: a record or block over the limit
};

}  // namespace tcpstate
