// The pcapng half of CaptureFileReader (draft-ietf-opsawg-pcapng): section
// headers (either byte order, several sections), interface descriptions
// with their timestamp resolution and offset, enhanced, simple and
// obsolete packet blocks; other blocks are skipped. Messages follow
// libpcap's sf-pcapng.c.
#include <cstring>

#include "absl/base/internal/endian.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "analyzer/capture/capture_file_reader.h"
#include "analyzer/capture/dlt_map.h"

namespace tcpstate {
namespace {

constexpr uint32_t kBlockSectionHeader = 0x0A0D0D0A;
constexpr uint32_t kBlockInterface = 1;
constexpr uint32_t kBlockObsoletePacket = 2;
constexpr uint32_t kBlockSimplePacket = 3;
constexpr uint32_t kBlockEnhancedPacket = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr uint16_t kOptionEnd = 0;
constexpr uint16_t kOptionTsResolution = 9;
constexpr uint16_t kOptionTsOffset = 14;
constexpr size_t kSectionHeaderMin = 28;

uint32_t Pad4(uint32_t n) { return (n + 3) & ~uint32_t{3}; }

absl::Time TimeOf(uint64_t units, uint64_t per_second, int64_t offset) {
  const uint64_t seconds = units / per_second;
  const unsigned __int128 frac = units % per_second;
  const uint64_t nanos =
      static_cast<uint64_t>(frac * 1000000000u / per_second);
  return absl::FromUnixSeconds(static_cast<int64_t>(seconds) + offset) +
         absl::Nanoseconds(nanos);
}

}  // namespace

absl::Status CaptureFileReader::OpenPcapng() {
  pcapng_ = true;
  absl::Span<const uint8_t> block;
  uint32_t type = 0;
  absl::StatusOr<bool> read = ReadBlock(&block, &type);
  if (!read.ok()) {
    return read.status();
  }
  if (!*read) {
    return absl::DataLossError("truncated pcapng dump file");
  }
  if (absl::Status s = OnSectionHeader(block); !s.ok()) {
    return s;
  }
  // Up to the first interface: its link type and snaplen are the file's.
  while (interfaces_.empty()) {
    read = ReadBlock(&block, &type);
    if (!read.ok()) {
      return read.status();
    }
    if (!*read) {
      return absl::DataLossError("the capture file has no Interface Description Blocks");
    }
    if (type == kBlockEnhancedPacket || type == kBlockSimplePacket ||
        type == kBlockObsoletePacket) {
      return absl::DataLossError(
          "the capture file has a packet block before any Interface "
          "Description Block");
    }
    if (type == kBlockSectionHeader) {
      if (absl::Status s = OnSectionHeader(block); !s.ok()) {
        return s;
      }
    } else if (type == kBlockInterface) {
      if (absl::Status s = OnInterface(block); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> CaptureFileReader::ReadBlock(
    absl::Span<const uint8_t>* block, uint32_t* type) {
  record_offset_ = consumed_;
  const size_t got = Fill(12);
  if (got == 0) {
    return false;
  }
  if (got < 8) {
    return absl::DataLossError(absl::StrFormat(
        "truncated pcapng dump file; tried to read 8 bytes, only got %d",
        got));
  }
  uint32_t raw_type;
  std::memcpy(&raw_type, At(), sizeof(raw_type));
  if (raw_type == kBlockSectionHeader) {  // the same in both byte orders
    if (got < 12) {
      return absl::DataLossError(absl::StrFormat(
          "truncated pcapng dump file; tried to read 12 bytes, only got %d",
          got));
    }
    uint32_t bom;
    std::memcpy(&bom, At() + 8, sizeof(bom));
    if (bom != kByteOrderMagic && bom != absl::gbswap_32(kByteOrderMagic)) {
      return absl::DataLossError(absl::StrFormat(
          "pcapng section header has an unknown byte-order magic number "
          "0x%08x",
          bom));
    }
    swapped_ = bom != kByteOrderMagic;
  }
  *type = U32(At());
  const uint32_t total = U32(At() + 4);
  const uint32_t min = *type == kBlockSectionHeader ? kSectionHeaderMin : 12;
  if (total < min) {
    return absl::DataLossError(absl::StrFormat(
        "block in pcapng dump file has a length of %d < %d", total, min));
  }
  if (total % 4 != 0) {
    return absl::DataLossError(absl::StrFormat(
        "block in pcapng dump file has a length of %d that is not a multiple "
        "of 4",
        total));
  }
  if (total > kMaxBlockBytes) {
    return Oversized("pcapng block", total);
  }
  const size_t have = Fill(total);
  if (have < total) {
    return absl::DataLossError(absl::StrFormat(
        "truncated pcapng dump file; tried to read %d bytes, only got %d",
        total - 8, have - 8));
  }
  // The block body, between the 8-byte header and the 4-byte trailer.
  *block = absl::Span<const uint8_t>(At() + 8, total - 12);
  Consume(total);
  return true;
}

absl::Status CaptureFileReader::OnSectionHeader(
    absl::Span<const uint8_t> block) {
  // Body: byte-order magic, major, minor, section length, options.
  const uint16_t major = U16(block.data() + 4);
  const uint16_t minor = U16(block.data() + 6);
  if (major != 1 || minor > 2) {
    return absl::DataLossError(absl::StrFormat("unsupported pcapng savefile version %d.%d",
                                  major, minor));
  }
  interfaces_.clear();  // interface ids count from 0 in each section
  return absl::OkStatus();
}

absl::Status CaptureFileReader::OnInterface(absl::Span<const uint8_t> block) {
  if (block.size() < 8) {
    return absl::DataLossError(
        "block of type 1 in pcapng dump file is too short (Interface "
        "Description Block)");
  }
  Interface i;
  i.dlt = DltFromLinktype(U16(block.data()));
  i.snaplen = U32(block.data() + 4);
  if (i.snaplen == 0 || i.snaplen > kMaxBlockBytes) {
    i.snaplen = kMaxBlockBytes;
  }
  // Options: code, length, value padded to 4 bytes.
  size_t at = 8;
  while (at + 4 <= block.size()) {
    const uint16_t code = U16(block.data() + at);
    const uint16_t length = U16(block.data() + at + 2);
    at += 4;
    if (code == kOptionEnd) {
      break;
    }
    if (at + length > block.size()) {
      return absl::DataLossError(
          "Interface Description Block option goes past the end of the "
          "block");
    }
    const uint8_t* v = block.data() + at;
    if (code == kOptionTsResolution && length == 1) {
      // High bit: a negative power of two, else of ten.
      const bool power_of_two = (v[0] & 0x80) != 0;
      const uint8_t exponent = v[0] & 0x7F;
      if (exponent > (power_of_two ? 63 : 19)) {
        return absl::DataLossError(absl::StrFormat(
            "Interface Description Block has an unsupported timestamp "
            "resolution 0x%02x",
            v[0]));
      }
      i.units_per_second = 1;
      for (uint8_t e = 0; e < exponent; ++e) {
        i.units_per_second *= power_of_two ? 2 : 10;
      }
    } else if (code == kOptionTsOffset && length == 8) {
      uint64_t raw;
      std::memcpy(&raw, v, sizeof(raw));
      i.offset_seconds =
          static_cast<int64_t>(swapped_ ? absl::gbswap_64(raw) : raw);
    }
    at += Pad4(length);
  }
  if (snaplen_ == 0) {  // the file's first interface
    dlt_ = i.dlt;
    snaplen_ = i.snaplen;
  } else if (i.dlt != dlt_) {
    return absl::DataLossError(absl::StrFormat(
        "an interface has a type %d different from the type of the first "
        "interface",
        i.dlt));
  }
  interfaces_.push_back(i);
  return absl::OkStatus();
}

absl::StatusOr<bool> CaptureFileReader::NextPcapng(CaptureRecord* record) {
  while (true) {
    absl::Span<const uint8_t> b;
    uint32_t type = 0;
    absl::StatusOr<bool> read = ReadBlock(&b, &type);
    if (!read.ok() || !*read) {
      return read;
    }
    const uint8_t* p = b.data();
    switch (type) {
      case kBlockSectionHeader:
        if (absl::Status s = OnSectionHeader(b); !s.ok()) {
          return s;
        }
        break;
      case kBlockInterface:
        if (absl::Status s = OnInterface(b); !s.ok()) {
          return s;
        }
        break;
      case kBlockEnhancedPacket:
      case kBlockObsoletePacket: {
        if (b.size() < 20) {
          return absl::DataLossError(absl::StrFormat(
              "block of type %d in pcapng dump file is too short", type));
        }
        const uint32_t interface =
            type == kBlockEnhancedPacket ? U32(p) : U16(p);
        const uint64_t ts = (uint64_t{U32(p + 4)} << 32) | U32(p + 8);
        const uint32_t caplen = U32(p + 12);
        if (caplen > b.size() - 20) {
          return absl::DataLossError(absl::StrFormat(
              "block of type %d in pcapng dump file is too short for its "
              "captured length %d",
              type, caplen));
        }
        return PacketOf(interface, ts, caplen, U32(p + 16), p + 20, record);
      }
      case kBlockSimplePacket: {
        if (b.size() < 4) {
          return absl::DataLossError("block of type 3 in pcapng dump file is too short");
        }
        const uint32_t len = U32(p);
        const uint32_t caplen =
            std::min<uint32_t>(len, static_cast<uint32_t>(b.size() - 4));
        return PacketOf(0, 0, caplen, len, p + 4, record);
      }
      default:
        break;  // name resolution, statistics, custom, ...: not packets
    }
  }
}

absl::StatusOr<bool> CaptureFileReader::PacketOf(uint32_t interface,
                                                 uint64_t ts, uint32_t caplen,
                                                 uint32_t wire_length,
                                                 const uint8_t* data,
                                                 CaptureRecord* record) {
  if (interface >= interfaces_.size()) {
    return absl::DataLossError(absl::StrFormat(
        "a packet arrived on interface %d, but there's no Interface "
        "Description Block for that interface",
        interface));
  }
  const Interface& i = interfaces_[interface];
  record->timestamp = TimeOf(ts, i.units_per_second, i.offset_seconds);
  record->wire_length = wire_length;
  record->data = absl::Span<const uint8_t>(data, std::min(caplen, i.snaplen));
  return true;
}

}  // namespace tcpstate
