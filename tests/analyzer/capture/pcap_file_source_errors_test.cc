#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/capture/pcap_file_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/capture/capture_writer_testutil.h"
#include "tests/analyzer/capture/source_reader_testutil.h"

namespace tcpstate {
namespace {

using capture_testutil::OpenAndReadAll;
using capture_testutil::PcapFile;
using capture_testutil::PcapHeader;
using capture_testutil::PcapngInterface;
using capture_testutil::PcapngPacket;
using capture_testutil::PcapngSectionHeader;
using capture_testutil::PcapOptions;
using capture_testutil::PcapRecord;
using capture_testutil::ReadAll;
using capture_testutil::ReadResult;
using capture_testutil::Record;
using capture_testutil::ScopedStdin;
using capture_testutil::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

Record Rec(uint32_t sec, std::string data) {
  Record record;
  record.sec = sec;
  record.data = std::move(data);
  return record;
}

// Two good 60-byte records: the third record starts at 24 + 2 * 76 = 176.
std::string TwoGoodRecords() {
  return PcapFile({Rec(1, std::string(60, 'a')), Rec(2, std::string(60, 'b'))});
}

// Pcapng with one good packet; the second packet block starts at 28 + 20 +
// 32 + 60 = 140.
std::string PcapngOneGoodPacket() {
  return PcapngSectionHeader() + PcapngInterface() +
         PcapngPacket(Rec(1, std::string(60, 'a')));
}

struct DamageCase {
  std::string name;
  std::string contents;
  size_t frames_before;
  std::string message;  // after "<path>: "
};

void PrintTo(const DamageCase& c, std::ostream* os) { *os << c.name; }

class DamagedFileTest : public testing::TestWithParam<DamageCase> {};

TEST_P(DamagedFileTest, ReturnsFramesBeforeTheDamageThenDataLoss) {
  const DamageCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.Write("damaged", c.contents);
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{path}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  EXPECT_EQ(result.frames.size(), c.frames_before);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_EQ(Message(result.status), absl::StrCat(path, ": ", c.message));
  EXPECT_EQ((*source)->inputs()[0].error, result.status.message());
  EXPECT_EQ((*source)->inputs()[0].packets, c.frames_before);
  // After an error the source is done.
  absl::StatusOr<std::optional<Frame>> again = (*source)->Next();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

std::vector<DamageCase> DamageCases() {
  const std::string next = PcapRecord(Rec(3, std::string(58, 'c')));
  std::string absurd = PcapRecord(Rec(3, "x"));
  absurd.replace(8, 4, "\xff\xff\xff\x7f", 4);  // caplen 2^31 - 1
  const std::string epb = PcapngPacket(Rec(2, std::string(60, 'b')));
  std::string bad_block = epb;
  bad_block.replace(4, 4, "\x08\x00\x00\x00", 4);  // total length 8 < 12
  return {
      {"TruncatedRecordHeader", TwoGoodRecords() + next.substr(0, 9), 2,
       "record 3 at byte offset 176: truncated dump file; tried to read 16 "
       "header bytes, only got 9"},
      {"TruncatedRecordData", TwoGoodRecords() + next.substr(0, 16 + 20), 2,
       "record 3 at byte offset 176: truncated dump file; tried to read 58 "
       "captured bytes, only got 20"},
      {"AbsurdCaptureLength", TwoGoodRecords() + absurd, 2,
       "record 3 at byte offset 176: record declares 2147483647 bytes, over "
       "tcpstate's limit of 262144"},
      {"FirstRecordTruncated", PcapHeader() + next.substr(0, 30), 0,
       "record 1 at byte offset 24: truncated dump file; tried to read 58 "
       "captured bytes, only got 14"},
      {"PcapngTruncatedBlock", PcapngOneGoodPacket() + epb.substr(0, 50), 1,
       "record 2 at byte offset 140: truncated pcapng dump "
       "file; tried to read 84 bytes, only got 42"},
      {"PcapngBadBlockLength", PcapngOneGoodPacket() + bad_block, 1,
       "record 2 at byte offset 140: block in pcapng dump file "
       "has a length of 8 < 12"},
      // The offset is the damaged block's own, exact, even after blocks
      // that carry no packet (here a 16-byte custom block).
      {"PcapngExactOffsetAfterOtherBlocks",
       PcapngOneGoodPacket() +
           std::string("\xad\x0b\x00\x40\x10\x00\x00\x00xxxx"
                       "\x10\x00\x00\x00",
                       16) +
           bad_block,
       1,
       "record 2 at byte offset 156: block in pcapng dump file "
       "has a length of 8 < 12"},
  };
}

INSTANTIATE_TEST_SUITE_P(Files, DamagedFileTest,
                         testing::ValuesIn(DamageCases()),
                         [](const testing::TestParamInfo<DamageCase>& info) {
                           return info.param.name;
                         });

struct OpenCase {
  std::string name;
  std::string contents;
  absl::StatusCode code;
  std::string message;  // after "<path>: "
};

void PrintTo(const OpenCase& c, std::ostream* os) { *os << c.name; }

class BadOpenTest : public testing::TestWithParam<OpenCase> {};

TEST_P(BadOpenTest, FirstFileFailsInOpen) {
  const OpenCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.Write("bad", c.contents);
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{path}, ""});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), c.code) << source.status();
  EXPECT_EQ(Message(source.status()), absl::StrCat(path, ": ", c.message));
}

TEST_P(BadOpenTest, LaterFileFailsInNextAfterEarlierFrames) {
  const OpenCase& c = GetParam();
  TempDir dir;
  const std::string good = dir.Write("good", TwoGoodRecords());
  const std::string bad = dir.Write("bad", c.contents);
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{good, bad, good}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  EXPECT_EQ(result.frames.size(), 2u);
  EXPECT_EQ(result.status.code(), c.code) << result.status;
  EXPECT_EQ(Message(result.status), absl::StrCat(bad, ": ", c.message));
  const std::vector<InputInfo> inputs = (*source)->inputs();
  EXPECT_EQ(inputs[0].error, "");
  EXPECT_EQ(inputs[1].error, result.status.message());
  EXPECT_EQ(inputs[2].packets, 0u);  // never reached
  EXPECT_EQ(inputs[2].link_type, "");
}

std::vector<OpenCase> OpenCases() {
  PcapOptions wifi;
  wifi.link_type = 105;
  PcapOptions unknown;
  unknown.link_type = 65000;
  std::string version = PcapHeader();
  version.replace(4, 2, "\x63\x00", 2);  // major version 99
  const std::string supported =
      "; supported: EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6, "
      "FDDI";
  return {
      {"Empty", "", absl::StatusCode::kDataLoss,
       "not a readable capture file (empty input): truncated dump file; "
       "tried to read 4 file header bytes, only got 0"},
      {"BadMagic", "This is not a capture file at all.",
       absl::StatusCode::kDataLoss,
       "not a readable capture file: unknown file format"},
      {"TruncatedGlobalHeader", PcapHeader().substr(0, 10),
       absl::StatusCode::kDataLoss,
       "not a readable capture file: truncated dump file; tried to read 24 "
       "file header bytes, only got 6"},  // libpcap counts after the magic
      {"UnsupportedVersion", version, absl::StatusCode::kDataLoss,
       "not a readable capture file: unsupported pcap savefile version 99.4"},
      {"UnsupportedLinkType", PcapFile({Rec(1, "x")}, wifi),
       absl::StatusCode::kUnimplemented,
       "unsupported link type IEEE802_11 (105)" + supported},
      {"UnknownLinkType", PcapFile({Rec(1, "x")}, unknown),
       absl::StatusCode::kUnimplemented,
       "unsupported link type DLT_65000 (65000)" + supported},
  };
}

INSTANTIATE_TEST_SUITE_P(Files, BadOpenTest, testing::ValuesIn(OpenCases()),
                         [](const testing::TestParamInfo<OpenCase>& info) {
                           return info.param.name;
                         });

TEST(PcapFileSourceErrorsTest, MissingFirstFile) {
  TempDir dir;
  const std::string missing = dir.Path("missing.pcap");
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{missing}, ""});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(source.status()),
              StartsWith(missing + ": cannot open: No such file"));
}

TEST(PcapFileSourceErrorsTest, MissingLaterFileAfterEarlierFrames) {
  TempDir dir;
  const std::string good = dir.Write("good", TwoGoodRecords());
  const std::string missing = dir.Path("missing.pcap");
  const ReadResult result = OpenAndReadAll({{good, missing}, ""});
  EXPECT_EQ(result.frames.size(), 2u);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(result.status), StartsWith(missing + ": cannot open"));
}

TEST(PcapFileSourceErrorsTest, DirectoryIsNotACapture) {
  TempDir dir;
  const ReadResult result = OpenAndReadAll({{dir.Path("")}, ""});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(result.status), HasSubstr("is a directory"));
}

TEST(PcapFileSourceErrorsTest, BadFilterNamesFilterAndReason) {
  TempDir dir;
  const std::string good = dir.Write("good", TwoGoodRecords());
  const ReadResult result = OpenAndReadAll({{good}, "tcp and and port"});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Message(result.status),
      StartsWith("invalid filter \"tcp and and port\": can't parse filter "
                 "expression: syntax error (compiled for "));
}

TEST(PcapFileSourceErrorsTest, FilterThatDoesNotFitALaterLinkType) {
  TempDir dir;
  const std::string eth = dir.Write("eth", TwoGoodRecords());
  PcapOptions raw;
  raw.link_type = 101;
  const std::string ip = dir.Write("raw", PcapFile({Rec(3, "x")}, raw));
  const ReadResult result =
      OpenAndReadAll({{eth, ip}, "ether host 00:11:22:33:44:55"});
  EXPECT_EQ(result.frames.size(), 0u);  // filtered out, but read
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Message(result.status),
      HasSubstr(absl::StrCat("(compiled for ", ip, ", link type RAW)")));
}

TEST(PcapFileSourceErrorsTest, UsageErrors) {
  EXPECT_EQ(OpenAndReadAll({{}, ""}).status.code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenAndReadAll({{"-", "-"}, ""}).status.code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenAndReadAll({{""}, ""}).status.code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PcapFileSourceErrorsTest, DamagedStandardInputHasExactOffsets) {
  const std::string contents =
      TwoGoodRecords() + PcapRecord(Rec(3, std::string(58, 'c'))).substr(0, 40);
  ScopedStdin in(contents);
  const ReadResult result = OpenAndReadAll({{"-"}, ""});
  EXPECT_EQ(result.frames.size(), 2u);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Message(result.status),
            "<stdin>: record 3 at byte offset 176: truncated dump file; tried "
            "to read 58 captured bytes, only got 24");
}

TEST(PcapFileSourceErrorsTest, EmptyStandardInput) {
  ScopedStdin in("");
  const ReadResult result = OpenAndReadAll({{"-"}, ""});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(result.status),
              StartsWith("<stdin>: not a readable capture file (empty input)"));
}

// libpcap cuts a record longer than the file's snaplen down to the snaplen;
// byte offsets must still follow the bytes on disk.
TEST(PcapFileSourceErrorsTest, OffsetsStayExactAfterSnaplenCut) {
  PcapOptions options;
  options.snaplen = 64;
  const std::string contents =
      PcapHeader(options) + PcapRecord(Rec(1, std::string(100, 'a'))) +
      PcapRecord(Rec(2, "bb")) + PcapRecord(Rec(3, "ccc")).substr(0, 5);
  TempDir dir;
  const std::string path = dir.Write("snap", contents);
  const ReadResult result = OpenAndReadAll({{path}, ""});
  ASSERT_EQ(result.frames.size(), 2u);
  EXPECT_EQ(result.frames[0].bytes, std::string(64, 'a'));
  EXPECT_EQ(result.frames[0].wire_length, 100u);
  EXPECT_EQ(result.frames[1].bytes, "bb");
  EXPECT_EQ(Message(result.status),
            absl::StrCat(path,
                         ": record 3 at byte offset 158: truncated dump file; "
                         "tried to read 16 header bytes, only got 5"));
}

// A record header claiming more captured than wire bytes is passed through
// as is (tcpdump prints it with "[Invalid header]"); dissectors see both.
TEST(PcapFileSourceErrorsTest, CapturedLongerThanWireIsPassedThrough) {
  Record record = Rec(1, "abcdef");
  record.wire_length = 4;
  TempDir dir;
  const std::string path = dir.Write("len", PcapFile({record}));
  const ReadResult result = OpenAndReadAll({{path}, ""});
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.frames.size(), 1u);
  EXPECT_EQ(result.frames[0].bytes, "abcdef");
  EXPECT_EQ(result.frames[0].wire_length, 4u);
}

}  // namespace
}  // namespace tcpstate
