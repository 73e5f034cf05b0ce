// CaptureFileReader on its own: input arriving a few bytes at a time
// (a pipe), files larger than its buffer, pcapng timestamp resolutions and
// offsets, several sections, and the size limit.
#include "analyzer/capture/capture_file_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/analyzer/capture/capture_writer_testutil.h"

namespace tcpstate {
namespace {

using capture_testutil::PcapFile;
using capture_testutil::PcapngFile;
using capture_testutil::PcapngInterface;
using capture_testutil::PcapngPacket;
using capture_testutil::PcapngSectionHeader;
using capture_testutil::Record;

struct Read {
  std::vector<std::string> data;
  std::vector<absl::Time> times;
  std::string error;
  uint64_t consumed = 0;
};

Read ReadFd(int fd) {
  Read out;
  absl::StatusOr<std::unique_ptr<CaptureFileReader>> r =
      CaptureFileReader::Open(fd, /*owns_fd=*/true);
  if (!r.ok()) {
    out.error = std::string(r.status().message());
    return out;
  }
  CaptureRecord rec;
  while (true) {
    absl::StatusOr<bool> next = (*r)->Next(&rec);
    if (!next.ok()) {
      out.error = absl::StrCat("at ", (*r)->record_offset(), ": ",
                               next.status().message());
      break;
    }
    if (!*next) {
      break;
    }
    out.data.emplace_back(reinterpret_cast<const char*>(rec.data.data()),
                          rec.data.size());
    out.times.push_back(rec.timestamp);
  }
  out.consumed = (*r)->consumed();
  return out;
}

// Through a pipe written `chunk` bytes at a time.
Read ReadThroughPipe(const std::string& contents, size_t chunk) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread writer([&] {
    for (size_t i = 0; i < contents.size(); i += chunk) {
      const std::string part = contents.substr(i, chunk);
      EXPECT_EQ(write(fds[1], part.data(), part.size()),
                static_cast<ssize_t>(part.size()));
    }
    close(fds[1]);
  });
  Read out = ReadFd(fds[0]);
  writer.join();
  return out;
}

std::vector<Record> SomeRecords(int n, size_t size) {
  std::vector<Record> records;
  for (int i = 0; i < n; ++i) {
    records.push_back({static_cast<uint32_t>(1000 + i),
                       static_cast<uint32_t>(i * 7),
                       std::string(size + i % 5, static_cast<char>('a' + i % 26)),
                       0});
  }
  return records;
}

TEST(CaptureFileReaderTest, ChunkingDoesNotMatter) {
  const std::vector<Record> records = SomeRecords(40, 70);
  for (const std::string& file :
       {PcapFile(records), PcapngFile(records)}) {
    const Read whole = ReadThroughPipe(file, file.size());
    ASSERT_EQ(whole.error, "");
    ASSERT_EQ(whole.data.size(), records.size());
    EXPECT_EQ(whole.consumed, file.size());
    for (size_t chunk : {1, 3, 7, 4096}) {
      const Read r = ReadThroughPipe(file, chunk);
      EXPECT_EQ(r.error, "") << chunk;
      EXPECT_EQ(r.data, whole.data) << chunk;
      EXPECT_EQ(r.times, whole.times) << chunk;
      EXPECT_EQ(r.consumed, file.size()) << chunk;
    }
  }
}

TEST(CaptureFileReaderTest, FilesLargerThanItsBuffer) {
  const std::vector<Record> records = SomeRecords(12000, 1000);  // ~12 MB
  const std::string file = PcapFile(records);
  const Read r = ReadThroughPipe(file, 65536);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.data.size(), records.size());
  for (size_t i = 0; i < records.size(); i += 997) {
    EXPECT_EQ(r.data[i], records[i].data) << i;
  }
  EXPECT_EQ(r.consumed, file.size());
}

// if_tsresol as a power of two (2^-20 s) and if_tsoffset (seconds).
TEST(CaptureFileReaderTest, PcapngResolutionAndOffset) {
  std::string idb_body;
  auto put16 = [&](uint16_t v) { idb_body.append(reinterpret_cast<char*>(&v), 2); };
  auto put32 = [&](uint32_t v) { idb_body.append(reinterpret_cast<char*>(&v), 4); };
  put16(1);  // Ethernet
  put16(0);
  put32(0);
  put16(9);  // if_tsresol: 2^-20
  put16(1);
  idb_body += std::string("\x94\0\0\0", 4);
  put16(14);  // if_tsoffset: +100 s
  put16(8);
  const int64_t offset = 100;
  idb_body.append(reinterpret_cast<const char*>(&offset), 8);
  put16(0);
  put16(0);
  std::string idb;
  const uint32_t total = static_cast<uint32_t>(idb_body.size() + 12);
  idb.append("\x01\0\0\0", 4);
  idb.append(reinterpret_cast<const char*>(&total), 4);
  idb += idb_body;
  idb.append(reinterpret_cast<const char*>(&total), 4);
  // 3.5 s in units of 2^-20 s: the EPB writer takes (sec, frac) as
  // sec * 10^tsresol + frac, so tsresol 0 gives the raw stamp.
  const std::string file = PcapngSectionHeader() + idb +
                           PcapngPacket({0, 3 * 1048576 + 524288, "x", 0}, 0);
  const Read r = ReadThroughPipe(file, file.size());
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.times.size(), 1u);
  EXPECT_EQ(r.times[0], absl::FromUnixSeconds(103) + absl::Milliseconds(500));
}

// A second section starts interface numbering again.
TEST(CaptureFileReaderTest, SeveralSections) {
  const std::string file =
      PcapngFile({{1, 0, "one", 0}}) + PcapngSectionHeader() +
      PcapngInterface() + PcapngPacket({2, 0, "two", 0});
  const Read r = ReadThroughPipe(file, 5);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.data, (std::vector<std::string>{"one", "two"}));
}

// A failing read() is named as such, not as a truncated file.
TEST(CaptureFileReaderTest, ReadErrorsAreNamed) {
  const int fd = open("/", O_RDONLY | O_DIRECTORY);  // read() gives EISDIR
  ASSERT_GE(fd, 0);
  const Read r = ReadFd(fd);
  EXPECT_EQ(r.error, "not a readable capture file: read error: Is a directory");
}

TEST(CaptureFileReaderTest, RefusesRecordsOverTheLimit) {
  std::string file = PcapFile({{1, 0, "ok", 0}, {2, 0, "x", 0}});
  const uint32_t huge = CaptureFileReader::kMaxBlockBytes + 1;
  file.replace(24 + 16 + 2 + 8, 4, reinterpret_cast<const char*>(&huge), 4);
  const Read r = ReadThroughPipe(file, file.size());
  EXPECT_EQ(r.data.size(), 1u);
  EXPECT_EQ(r.error,
            "at 42: record declares 262145 bytes, over tcpstate's limit of "
            "262144");
}

}  // namespace
}  // namespace tcpstate
