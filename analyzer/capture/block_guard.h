#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tcpstate {

// Watches the bytes of a pcap or pcapng file on their way to libpcap and
// holds back the first record or block whose declared length is over the
// limit, so libpcap never sizes a buffer from it (libpcap itself accepts
// pcapng blocks of up to 16 MiB, and a 68-byte file can claim that much).
// Files of any other format pass through untouched: libpcap rejects them.
class BlockGuard {
 public:
  // Largest record (pcap: captured length) or block (pcapng: total block
  // length) let through: 256 KiB, libpcap's own limit for pcap records.
  static constexpr uint32_t kMaxBlockBytes = 256 * 1024;

  // Inspects the next `n` bytes of the file. Returns how many of them may
  // be passed on: all, or fewer when a header over the limit ends among
  // them (the bytes before that record or block are passed on). After it
  // trips, every call returns 0.
  size_t Admit(const uint8_t* data, size_t n);

  bool tripped() const { return tripped_; }
  // Where the oversized record or block starts, and what it declares.
  uint64_t offset() const { return trip_offset_; }
  uint64_t declared() const { return declared_; }
  // "pcapng block declares 16777212 bytes, over the limit of 262144".
  std::string Describe() const;

 private:
  enum class Mode : uint8_t { kDetect, kPcap, kPcapng, kPassThrough };

  // Called when `header_` holds `need_` bytes.
  void OnHeader();
  uint32_t Read32(size_t at) const;
  void Trip(uint64_t declared);

  Mode mode_ = Mode::kDetect;
  bool big_endian_ = false;
  bool tripped_ = false;
  uint8_t header_[24] = {};
  size_t have_ = 0;           // bytes in header_
  size_t need_ = 4;           // header bytes wanted before OnHeader
  uint64_t skip_ = 0;         // body bytes still to pass over
  uint64_t seen_ = 0;         // bytes inspected so far
  uint64_t unit_start_ = 0;   // file offset of the current header
  size_t record_header_ = 16;  // pcap record header size (24: modified)
  uint64_t trip_offset_ = 0;
  uint64_t declared_ = 0;
};

}  // namespace tcpstate
