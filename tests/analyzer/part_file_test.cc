#include "analyzer/part_file.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

std::string Path(absl::string_view name) {
  return absl::StrCat(testing::TempDir(), "/part_file_test_", getpid(), "_",
                      name);
}

void Save(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A small part: two creations and a finished record.
std::string SmallPart() {
  std::ostringstream out;
  PartHeader h{"1.2.3", 1, 3, "options", "tcp port 80", {"a.pcap", "b.pcap"}};
  PartWriter w(&out, h);
  w.Created(ShardTag{5, ShardTag::kSegment, 0}, 5, 0);
  w.Created(ShardTag{9, ShardTag::kSegment, 1}, 9, 5);
  ConnectionRecord r;
  r.id = 5;
  r.conn_state = "SF";
  w.Finished(ShardTag{12, ShardTag::kSweep, 5}, std::move(r));
  PartTrailer t;
  t.summary.packets = 20;
  t.created = 2;
  t.inputs = {InputInfo{"a.pcap", "EN10MB", 20, 2000, ""}};
  t.error = "damaged at the end";
  t.digest = 77;
  w.Finish(t);
  return out.str();
}

TEST(PartFileTest, ReadsBackWhatWasWritten) {
  const std::string path = Path("small");
  Save(path, SmallPart());
  absl::StatusOr<std::unique_ptr<PartReader>> r = PartReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status();
  const PartHeader& h = (*r)->header();
  EXPECT_EQ(h.tcpstate_version, "1.2.3");
  EXPECT_EQ(h.shard, 1u);
  EXPECT_EQ(h.shards, 3u);
  EXPECT_EQ(h.filter, "tcp port 80");
  EXPECT_EQ(h.inputs.size(), 2u);
  EXPECT_EQ((*r)->trailer().digest, 77u);
  EXPECT_EQ((*r)->trailer().error, "damaged at the end");
  EXPECT_EQ((*r)->trailer().inputs[0].bytes, 2000u);
  PartEntry e;
  ASSERT_TRUE((*r)->Next(&e).ok());
  EXPECT_EQ(e.type, PartEntry::Type::kCreated);
  EXPECT_EQ(e.id, 5u);
  ASSERT_TRUE((*r)->Next(&e).ok());
  EXPECT_EQ(e.reuses, 5u);
  EXPECT_EQ(e.tag.order, 1u);
  ASSERT_TRUE((*r)->Next(&e).ok());
  EXPECT_EQ(e.type, PartEntry::Type::kFinished);
  EXPECT_EQ(e.tag.phase, ShardTag::kSweep);
  EXPECT_EQ(e.record.conn_state, "SF");
  ASSERT_TRUE((*r)->Next(&e).ok());
  EXPECT_EQ(e.type, PartEntry::Type::kEnd);
}

// Reading a part cut anywhere, or with any one byte changed, ends in a
// named error or in entries that decode: never a crash or a hang.
TEST(PartFileTest, DamageIsNamedNeverTrusted) {
  const std::string good = SmallPart();
  const std::string path = Path("damaged");
  for (size_t n = 0; n < good.size(); ++n) {
    Save(path, good.substr(0, n));
    absl::StatusOr<std::unique_ptr<PartReader>> r = PartReader::Open(path);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_NE(r.status().message().find(path), std::string::npos);
  }
  size_t opened = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    Save(path, bad);
    absl::StatusOr<std::unique_ptr<PartReader>> r = PartReader::Open(path);
    if (!r.ok()) {
      continue;
    }
    ++opened;
    PartEntry e;
    for (int k = 0; k < 10; ++k) {
      if (!(*r)->Next(&e).ok() || e.type == PartEntry::Type::kEnd) {
        break;
      }
    }
  }
  EXPECT_GT(opened, 0u);  // some flips land in values, not in the framing
}

TEST(PartFileTest, NamesWhatIsWrong) {
  const std::string good = SmallPart();
  const std::string path = Path("named");
  Save(path, "0123456789abcdefghijklmnopqrstuvwxyz");
  EXPECT_NE(PartReader::Open(path).status().message().find(
                "not a tcpstate part"),
            std::string::npos);
  std::string other = good;
  other[14] = 7;  // the format version after the magic
  Save(path, other);
  EXPECT_NE(PartReader::Open(path).status().message().find(
                "part format version 7"),
            std::string::npos);
  Save(path, good.substr(0, good.size() - 1));
  EXPECT_NE(PartReader::Open(path).status().message().find("unfinished"),
            std::string::npos);
  EXPECT_NE(PartReader::Open(Path("absent")).status().message().find(
                "cannot open"),
            std::string::npos);
}

}  // namespace
}  // namespace tcpstate
