#include "analyzer/capture/pcap_file_source.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/capture/capture_writer_testutil.h"
#include "tests/analyzer/capture/source_reader_testutil.h"

namespace tcpstate {
namespace {

using capture_testutil::EthernetIpv4Packet;
using capture_testutil::OpenAndReadAll;
using capture_testutil::PcapFile;
using capture_testutil::PcapngFile;
using capture_testutil::PcapngOptions;
using capture_testutil::PcapOptions;
using capture_testutil::ReadAll;
using capture_testutil::ReadResult;
using capture_testutil::Record;
using capture_testutil::ScopedStdin;
using capture_testutil::TempDir;
using ::testing::ElementsAre;
using ::testing::Field;

constexpr uint32_t kSec = 1700000000;

Record Rec(uint32_t sec, uint32_t frac, std::string data) {
  Record record;
  record.sec = sec;
  record.frac = frac;
  record.data = std::move(data);
  return record;
}

std::vector<uint64_t> Numbers(const ReadResult& result) {
  std::vector<uint64_t> numbers;
  for (const auto& frame : result.frames) {
    numbers.push_back(frame.number);
  }
  return numbers;
}

std::vector<uint32_t> InputIndexes(const ReadResult& result) {
  std::vector<uint32_t> indexes;
  for (const auto& frame : result.frames) {
    indexes.push_back(frame.input_index);
  }
  return indexes;
}

TEST(PcapFileSourceTest, ReadsFilesInOrderWithContinuousNumbering) {
  TempDir dir;
  const std::string a =
      dir.Write("a.pcap", PcapFile({Rec(kSec, 1, "a1"), Rec(kSec, 2, "a2-")}));
  const std::string b = dir.Write(
      "b.pcapng",
      PcapngFile({Rec(kSec, 3, "b1"), Rec(kSec, 4, "b2"), Rec(kSec, 5, "b3")}));
  PcapOptions raw;
  raw.link_type = 101;
  const std::string c =
      dir.Write("c.pcap", PcapFile({Rec(kSec, 6, "c1")}, raw));

  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{a, b, c}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  ASSERT_TRUE(result.status.ok()) << result.status;

  EXPECT_THAT(Numbers(result), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(InputIndexes(result), ElementsAre(0, 0, 1, 1, 1, 2));
  EXPECT_EQ(result.frames[1].bytes, "a2-");
  EXPECT_EQ(result.frames[1].wire_length, 3u);
  EXPECT_EQ(result.frames[4].bytes, "b3");
  EXPECT_EQ(result.frames[0].link, LinkType::kEthernet);
  EXPECT_EQ(result.frames[5].link, LinkType::kRaw);

  const std::vector<InputInfo> inputs = (*source)->inputs();
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].name, a);
  EXPECT_EQ(inputs[0].link_type, "EN10MB");
  EXPECT_EQ(inputs[0].packets, 2u);
  EXPECT_EQ(inputs[0].bytes, 5u);
  EXPECT_EQ(inputs[1].packets, 3u);
  EXPECT_EQ(inputs[2].link_type, "RAW");
  EXPECT_EQ(inputs[2].packets, 1u);
  for (const InputInfo& info : inputs) {
    EXPECT_EQ(info.error, "");
  }
  // The end is sticky.
  absl::StatusOr<std::optional<Frame>> again = (*source)->Next();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

struct TimestampCase {
  std::string name;
  std::string contents;
  absl::Time expected;
};

void PrintTo(const TimestampCase& c, std::ostream* os) { *os << c.name; }

class TimestampTest : public testing::TestWithParam<TimestampCase> {};

TEST_P(TimestampTest, KeepsTheFileResolution) {
  TempDir dir;
  const std::string path = dir.Write("t", GetParam().contents);
  const ReadResult result = OpenAndReadAll({{path}, ""});
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.frames.size(), 1u);
  EXPECT_EQ(result.frames[0].timestamp, GetParam().expected)
      << absl::FormatTime(result.frames[0].timestamp);
}

std::vector<TimestampCase> TimestampCases() {
  const absl::Time base = absl::FromUnixSeconds(kSec);
  PcapOptions nano;
  nano.nanosecond = true;
  PcapngOptions ng_nano;
  ng_nano.tsresol = 9;
  PcapngOptions ng_milli;
  ng_milli.tsresol = 3;
  return {
      {"PcapMicro", PcapFile({Rec(kSec, 123456, "x")}),
       base + absl::Microseconds(123456)},
      {"PcapNano", PcapFile({Rec(kSec, 123456789, "x")}, nano),
       base + absl::Nanoseconds(123456789)},
      {"PcapngMicro", PcapngFile({Rec(kSec, 654321, "x")}),
       base + absl::Microseconds(654321)},
      {"PcapngNano", PcapngFile({Rec(kSec, 987654321, "x")}, ng_nano),
       base + absl::Nanoseconds(987654321)},
      {"PcapngMilli", PcapngFile({Rec(kSec, 250, "x")}, ng_milli),
       base + absl::Milliseconds(250)},
  };
}

INSTANTIATE_TEST_SUITE_P(Files, TimestampTest,
                         testing::ValuesIn(TimestampCases()),
                         [](const testing::TestParamInfo<TimestampCase>& info) {
                           return info.param.name;
                         });

struct LinkCase {
  uint32_t file_link_type;
  LinkType expected;
  const char* name;
};

void PrintTo(const LinkCase& c, std::ostream* os) { *os << c.name; }

class LinkTypeTest : public testing::TestWithParam<LinkCase> {};

TEST_P(LinkTypeTest, MapsPcapAndPcapngLinkTypes) {
  TempDir dir;
  PcapOptions pcap;
  pcap.link_type = GetParam().file_link_type;
  PcapngOptions pcapng;
  pcapng.link_type = static_cast<uint16_t>(GetParam().file_link_type);
  const std::string a = dir.Write("a", PcapFile({Rec(kSec, 0, "x")}, pcap));
  const std::string b = dir.Write("b", PcapngFile({Rec(kSec, 0, "y")}, pcapng));
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{a, b}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.frames.size(), 2u);
  EXPECT_EQ(result.frames[0].link, GetParam().expected);
  EXPECT_EQ(result.frames[1].link, GetParam().expected);
  EXPECT_EQ((*source)->inputs()[0].link_type, GetParam().name);
  EXPECT_EQ((*source)->inputs()[1].link_type, GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(
    Supported, LinkTypeTest,
    testing::Values(LinkCase{1, LinkType::kEthernet, "EN10MB"},
                    LinkCase{113, LinkType::kLinuxSll, "LINUX_SLL"},
                    LinkCase{276, LinkType::kLinuxSll2, "LINUX_SLL2"},
                    LinkCase{0, LinkType::kNull, "NULL"},
                    LinkCase{108, LinkType::kLoop, "LOOP"},
                    LinkCase{101, LinkType::kRaw, "RAW"},
                    LinkCase{228, LinkType::kIpv4, "IPV4"},
                    LinkCase{229, LinkType::kIpv6, "IPV6"}));

TEST(PcapFileSourceTest, FilterKeepsRecordNumbers) {
  TempDir dir;
  const std::string tcp = EthernetIpv4Packet(6);
  const std::string udp = EthernetIpv4Packet(17);
  const std::string path =
      dir.Write("f.pcap", PcapFile({Rec(kSec, 1, udp), Rec(kSec, 2, tcp),
                                    Rec(kSec, 3, udp), Rec(kSec, 4, tcp)}));
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{path}, "tcp"});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  ASSERT_TRUE(result.status.ok()) << result.status;
  // Frame numbers stay record numbers, as in Wireshark, so they can be
  // looked up in the original file.
  EXPECT_THAT(Numbers(result), ElementsAre(2, 4));
  EXPECT_EQ((*source)->inputs()[0].packets, 4u);
}

TEST(PcapFileSourceTest, FilterIsCompiledPerFileLinkType) {
  TempDir dir;
  const std::string tcp = EthernetIpv4Packet(6);
  const std::string udp = EthernetIpv4Packet(17);
  PcapOptions raw;
  raw.link_type = 101;
  const std::string eth =
      dir.Write("eth.pcap", PcapFile({Rec(kSec, 1, tcp), Rec(kSec, 2, udp)}));
  const std::string ip = dir.Write(
      "raw.pcap",
      PcapFile({Rec(kSec, 3, udp.substr(14)), Rec(kSec, 4, tcp.substr(14))},
               raw));
  const ReadResult result = OpenAndReadAll({{eth, ip}, "tcp port 80"});
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(Numbers(result), ElementsAre(1, 4));
  EXPECT_THAT(
      result.frames,
      ElementsAre(
          Field(&capture_testutil::FrameCopy::link, LinkType::kEthernet),
          Field(&capture_testutil::FrameCopy::link, LinkType::kRaw)));
}

TEST(PcapFileSourceTest, ZeroLengthRecordsAreFrames) {
  TempDir dir;
  const std::string path = dir.Write(
      "z.pcap",
      PcapFile({Rec(kSec, 1, "ab"), Rec(kSec, 2, ""), Rec(kSec, 3, "cd")}));
  const ReadResult result = OpenAndReadAll({{path}, ""});
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.frames.size(), 3u);
  EXPECT_EQ(result.frames[1].bytes, "");
  EXPECT_EQ(result.frames[1].wire_length, 0u);
  EXPECT_EQ(result.frames[2].number, 3u);
  EXPECT_EQ(result.frames[2].bytes, "cd");
}

TEST(PcapFileSourceTest, CountsBackwardsTimestampsAcrossFiles) {
  TempDir dir;
  const std::string a = dir.Write(
      "a.pcap", PcapFile({Rec(100, 0, "1"), Rec(50, 0, "2"), Rec(200, 0, "3"),
                          Rec(150, 0, "4"), Rec(200, 0, "5")}));
  const std::string b =
      dir.Write("b.pcap", PcapFile({Rec(199, 999999, "6"), Rec(201, 0, "7")}));
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{a, b}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.frames.size(), 7u);  // not fatal
  // 50 < 100, 150 < 200, 199.999999 < 200; an equal time is not backwards.
  EXPECT_EQ((*source)->timestamps_backwards(), 3u);
}

TEST(PcapFileSourceTest, ReadsStandardInputBetweenFiles) {
  TempDir dir;
  const std::string a = dir.Write("a.pcap", PcapFile({Rec(kSec, 1, "a")}));
  const std::string c = dir.Write("c.pcap", PcapFile({Rec(kSec, 4, "c")}));
  PcapngOptions nano;
  nano.tsresol = 9;
  ScopedStdin in(PcapngFile({Rec(kSec, 2, "b1"), Rec(kSec, 3, "b2")}, nano));

  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{a, "-", c}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const ReadResult result = ReadAll(**source);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(Numbers(result), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(InputIndexes(result), ElementsAre(0, 1, 1, 2));
  EXPECT_EQ(result.frames[2].bytes, "b2");
  EXPECT_EQ(result.frames[2].timestamp,
            absl::FromUnixSeconds(kSec) + absl::Nanoseconds(3));
  EXPECT_EQ((*source)->inputs()[1].name, "-");
  EXPECT_EQ((*source)->inputs()[1].packets, 2u);
}

TEST(PcapFileSourceTest, ReportsProgressInBytes) {
  TempDir dir;
  const std::string a_contents =
      PcapFile({Rec(kSec, 1, "aaaa"), Rec(kSec, 2, "bbbb")});
  const std::string b_contents = PcapngFile({Rec(kSec, 3, "cc")});
  const std::string a = dir.Write("a.pcap", a_contents);
  const std::string b = dir.Write("b.pcapng", b_contents);
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{a, b}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  const uint64_t total = a_contents.size() + b_contents.size();
  EXPECT_EQ((*source)->total_bytes(), total);
  EXPECT_EQ((*source)->consumed_bytes(), 24u);

  ASSERT_TRUE((*source)->Next().ok());
  EXPECT_EQ((*source)->consumed_bytes(), 24u + 16u + 4u);
  ASSERT_TRUE((*source)->Next().ok());
  EXPECT_EQ((*source)->consumed_bytes(), a_contents.size());

  const ReadResult rest = ReadAll(**source);
  ASSERT_TRUE(rest.status.ok()) << rest.status;
  EXPECT_EQ((*source)->consumed_bytes(), total);
}

TEST(PcapFileSourceTest, StandardInputHasNoKnownSize) {
  TempDir dir;
  const std::string contents = PcapFile({Rec(kSec, 1, "abc")});
  const std::string a = dir.Write("a.pcap", contents);
  ScopedStdin in(contents);
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open({{"-", a}, ""});
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->total_bytes(), contents.size());
  const ReadResult result = ReadAll(**source);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.frames.size(), 2u);
  EXPECT_EQ((*source)->consumed_bytes(), 2 * contents.size());
}

TEST(PcapFileSourceTest, PcapngBlocksWithoutPacketsAreSkipped) {
  // A block type libpcap does not know (here a custom block, 0x40000BAD)
  // between two packets is skipped and does not count as a record.
  std::string custom;
  for (const uint32_t word : {0x40000badu, 16u, 32473u, 16u}) {
    for (int shift = 0; shift < 32; shift += 8) {
      custom.push_back(static_cast<char>((word >> shift) & 0xff));
    }
  }
  const std::string contents =
      capture_testutil::PcapngSectionHeader() +
      capture_testutil::PcapngInterface() +
      capture_testutil::PcapngPacket(Rec(kSec, 1, "one")) + custom +
      capture_testutil::PcapngPacket(Rec(kSec, 2, "two"));
  TempDir dir;
  const std::string path = dir.Write("blocks.pcapng", contents);
  const ReadResult result = OpenAndReadAll({{path}, ""});
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(Numbers(result), ElementsAre(1, 2));
  ASSERT_EQ(result.frames.size(), 2u);
  EXPECT_EQ(result.frames[1].bytes, "two");
}

}  // namespace
}  // namespace tcpstate
