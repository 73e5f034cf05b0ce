#include "analyzer/capture/block_guard.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace tcpstate {
namespace {

// File magics as read in little-endian order (pcap-savefile(5),
// draft-ietf-opsawg-pcapng section 4.1).
constexpr uint32_t kPcapMicro = 0xA1B2C3D4;
constexpr uint32_t kPcapNano = 0xA1B23C4D;
constexpr uint32_t kPcapModified = 0xA1B2CD34;  // Kuznetzov's patched format
constexpr uint32_t kPcapngShb = 0x0A0D0D0A;
constexpr uint32_t kPcapngByteOrder = 0x1A2B3C4D;

constexpr size_t kPcapGlobalHeader = 24;
constexpr size_t kPcapngBlockHeader = 12;  // type, length, and the SHB's BOM

uint32_t Swap32(uint32_t v) {
  return ((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >> 8) & 0xFF00) |
         (v >> 24);
}

}  // namespace

uint32_t BlockGuard::Read32(size_t at) const {
  const uint32_t le = uint32_t{header_[at]} | uint32_t{header_[at + 1]} << 8 |
                      uint32_t{header_[at + 2]} << 16 |
                      uint32_t{header_[at + 3]} << 24;
  return big_endian_ ? Swap32(le) : le;
}

void BlockGuard::Trip(uint64_t declared) {
  tripped_ = true;
  trip_offset_ = unit_start_;
  declared_ = declared;
}

void BlockGuard::OnHeader() {
  switch (mode_) {
    case Mode::kDetect: {
      const uint32_t magic = Read32(0);
      if (magic == kPcapngShb) {
        mode_ = Mode::kPcapng;
        need_ = kPcapngBlockHeader;  // the magic is this block's type
        return;
      }
      for (bool swapped : {false, true}) {
        const uint32_t m = swapped ? Swap32(magic) : magic;
        if (m == kPcapMicro || m == kPcapNano || m == kPcapModified) {
          mode_ = Mode::kPcap;
          big_endian_ = swapped;
          record_header_ = m == kPcapModified ? 24 : 16;
          skip_ = kPcapGlobalHeader - 4;
          have_ = 0;
          need_ = record_header_;
          return;
        }
      }
      mode_ = Mode::kPassThrough;
      return;
    }
    case Mode::kPcap: {
      const uint32_t caplen = Read32(8);  // ts_sec, ts_frac, caplen, len
      if (caplen > kMaxBlockBytes) {
        Trip(caplen);
        return;
      }
      skip_ = caplen;
      break;
    }
    case Mode::kPcapng: {
      // The section header type reads the same in both byte orders.
      if (Read32(0) == kPcapngShb) {
        // A section header sets the byte order of everything after it.
        big_endian_ = false;
        const uint32_t bom = Read32(8);
        if (bom != kPcapngByteOrder && Swap32(bom) != kPcapngByteOrder) {
          mode_ = Mode::kPassThrough;  // libpcap reports the bad header
          return;
        }
        big_endian_ = bom != kPcapngByteOrder;
      }
      const uint32_t length = Read32(4);
      if (length > kMaxBlockBytes) {
        Trip(length);
        return;
      }
      if (length < kPcapngBlockHeader) {
        mode_ = Mode::kPassThrough;  // libpcap reports the bad length
        return;
      }
      skip_ = length - kPcapngBlockHeader;
      break;
    }
    case Mode::kPassThrough:
      return;
  }
  have_ = 0;
}

size_t BlockGuard::Admit(const uint8_t* data, size_t n) {
  const uint64_t chunk_start = seen_;
  size_t pos = 0;
  while (pos < n && !tripped_ && mode_ != Mode::kPassThrough) {
    if (skip_ > 0) {
      const size_t take =
          static_cast<size_t>(std::min<uint64_t>(skip_, n - pos));
      skip_ -= take;
      pos += take;
      continue;
    }
    if (have_ == 0) {
      unit_start_ = chunk_start + pos;
    }
    const size_t take = std::min(need_ - have_, n - pos);
    std::copy(data + pos, data + pos + take, header_ + have_);
    have_ += take;
    pos += take;
    if (have_ == need_) {
      OnHeader();
    }
  }
  seen_ = chunk_start + n;
  if (!tripped_) {
    return n;
  }
  return trip_offset_ > chunk_start
             ? static_cast<size_t>(trip_offset_ - chunk_start)
             : 0;
}

std::string BlockGuard::Describe() const {
  return absl::StrFormat(
      "%s declares %d bytes, over tcpstate's limit of %d",
      mode_ == Mode::kPcapng ? "pcapng block" : "record", declared_,
      kMaxBlockBytes);
}

}  // namespace tcpstate
