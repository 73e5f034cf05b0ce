#include "tests/analyzer/capture/capture_writer_testutil.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"

namespace tcpstate {
namespace capture_testutil {
namespace {

void PutU16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value & 0xff));
  out.push_back(static_cast<char>(value >> 8));
}

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void PadTo4(std::string& out) {
  while (out.size() % 4 != 0) {
    out.push_back('\0');
  }
}

// Wraps a pcapng block body with its type and both length fields.
std::string Block(uint32_t type, const std::string& body) {
  std::string block;
  const uint32_t length = static_cast<uint32_t>(12 + body.size());
  PutU32(block, type);
  PutU32(block, length);
  block += body;
  PutU32(block, length);
  return block;
}

uint32_t WireLength(const Record& record) {
  return record.wire_length != 0 ? record.wire_length
                                 : static_cast<uint32_t>(record.data.size());
}

}  // namespace

std::string PcapHeader(const PcapOptions& options) {
  std::string out;
  PutU32(out, options.nanosecond ? 0xa1b23c4du : 0xa1b2c3d4u);
  PutU16(out, 2);
  PutU16(out, 4);
  PutU32(out, 0);  // thiszone
  PutU32(out, 0);  // sigfigs
  PutU32(out, options.snaplen);
  PutU32(out, options.link_type);
  return out;
}

std::string PcapRecord(const Record& record) {
  std::string out;
  PutU32(out, record.sec);
  PutU32(out, record.frac);
  PutU32(out, static_cast<uint32_t>(record.data.size()));
  PutU32(out, WireLength(record));
  out += record.data;
  return out;
}

std::string PcapFile(const std::vector<Record>& records,
                     const PcapOptions& options) {
  std::string out = PcapHeader(options);
  for (const Record& record : records) {
    out += PcapRecord(record);
  }
  return out;
}

std::string PcapngSectionHeader() {
  std::string body;
  PutU32(body, 0x1a2b3c4du);  // byte-order magic
  PutU16(body, 1);            // major
  PutU16(body, 0);            // minor
  PutU32(body, 0xffffffffu);  // section length: unknown (-1)
  PutU32(body, 0xffffffffu);
  return Block(0x0a0d0d0au, body);
}

std::string PcapngInterface(const PcapngOptions& options) {
  std::string body;
  PutU16(body, options.link_type);
  PutU16(body, 0);  // reserved
  PutU32(body, 0);  // snaplen: unlimited
  if (options.tsresol != 6) {
    PutU16(body, 9);  // if_tsresol
    PutU16(body, 1);
    body.push_back(static_cast<char>(options.tsresol));
    PadTo4(body);
    PutU16(body, 0);  // opt_endofopt
    PutU16(body, 0);
  }
  return Block(1, body);
}

std::string PcapngPacket(const Record& record, uint8_t tsresol) {
  uint64_t units_per_second = 1;
  for (int i = 0; i < tsresol; ++i) {
    units_per_second *= 10;
  }
  const uint64_t stamp = record.sec * units_per_second + record.frac;
  std::string body;
  PutU32(body, 0);  // interface id
  PutU32(body, static_cast<uint32_t>(stamp >> 32));
  PutU32(body, static_cast<uint32_t>(stamp & 0xffffffffu));
  PutU32(body, static_cast<uint32_t>(record.data.size()));
  PutU32(body, WireLength(record));
  body += record.data;
  PadTo4(body);
  return Block(6, body);
}

std::string PcapngFile(const std::vector<Record>& records,
                       const PcapngOptions& options) {
  std::string out = PcapngSectionHeader() + PcapngInterface(options);
  for (const Record& record : records) {
    out += PcapngPacket(record, options.tsresol);
  }
  return out;
}

std::string EthernetIpv4Packet(uint8_t ip_protocol) {
  std::string out(14 + 20 + 20, '\0');
  out[12] = '\x08';  // ethertype IPv4
  out[13] = '\x00';
  out[14] = '\x45';                 // version 4, IHL 5
  out[17] = static_cast<char>(40);  // total length
  out[22] = '\x40';                 // TTL
  out[23] = static_cast<char>(ip_protocol);
  const char addresses[] = {10, 0, 0, 1, 10, 0, 0, 2};
  out.replace(26, 8, addresses, 8);
  out[34] = '\x30';  // source port 12345
  out[35] = '\x39';
  out[37] = '\x50';  // destination port 80
  out[46] = '\x50';  // TCP data offset 5
  return out;
}

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir() + "capture_test.XXXXXX";
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << "mkdtemp failed for " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  for (const std::string& file : files_) {
    unlink(file.c_str());
  }
  rmdir(path_.c_str());
}

std::string TempDir::Path(const std::string& name) const {
  return path_ + "/" + name;
}

std::string TempDir::Write(const std::string& name,
                           const std::string& contents) {
  const std::string path = Path(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  EXPECT_TRUE(out.good()) << "cannot write " << path;
  files_.push_back(path);
  return path;
}

}  // namespace capture_testutil
}  // namespace tcpstate
