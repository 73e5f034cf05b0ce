#include "tools/record_spill.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

// Texts of varied length, some longer than the 1 MiB write piece.
std::string TextOf(uint64_t id) {
  const size_t length = id % 7 == 0 ? (size_t{3} << 19) + id : 100 + id * 37;
  std::string text = absl::StrCat("{\"id\":", id, ",\"pad\":\"");
  text.append(length, static_cast<char>('a' + id % 26));
  text += "\"}";
  return text;
}

// Stores ids 1..n in a scrambled order (as connections finish), then reads
// them back in id order.
void RoundTrip(RecordSpill& spill, uint64_t n) {
  std::vector<uint64_t> order;
  for (uint64_t id = 1; id <= n; ++id) {
    order.push_back((id * 37) % n + 1);  // a permutation (gcd(37, n) == 1)
  }
  for (uint64_t id : order) {
    spill.Put(id, TextOf(id));
  }
  ASSERT_EQ(spill.max_id(), n);
  for (uint64_t id = 1; id <= n; ++id) {
    std::string out = "kept:";
    ASSERT_TRUE(spill.Get(id, &out)) << id << ": " << spill.error();
    EXPECT_EQ(out, "kept:" + TextOf(id)) << id;
  }
}

TEST(RecordSpillTest, TextsComeBackByIdFromTheTemporaryFile) {
  RecordSpill spill;
  EXPECT_TRUE(spill.uses_file());
  RoundTrip(spill, 200);
  EXPECT_TRUE(spill.uses_file());
}

TEST(RecordSpillTest, MissingIdsAreNamed) {
  RecordSpill spill;
  spill.Put(2, "two");
  std::string out;
  EXPECT_FALSE(spill.Get(1, &out));
  EXPECT_EQ(spill.error(), "connection 1 was never stored");
  EXPECT_FALSE(spill.Get(3, &out));
  EXPECT_TRUE(spill.Get(2, &out));
  EXPECT_EQ(out, "two");
}

TEST(RecordSpillTest, WithoutATemporaryDirectoryTextsStayInMemory) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  setenv("TMPDIR", "/nonexistent/tcpstate-test", 1);
  RecordSpill spill;
  if (old != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_FALSE(spill.uses_file());
  RoundTrip(spill, 50);
}

// A full disk, made by a file size limit: what cannot be written moves to
// memory, and every text still comes back.
TEST(RecordSpillTest, AFullDiskMovesTheRestToMemory) {
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  struct sigaction ignore = {};
  struct sigaction old_action;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &old_action), 0);
  struct rlimit small = saved;
  small.rlim_cur = (rlim_t{5} << 20) + 12345;  // mid-piece
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  {
    RecordSpill spill;
    RoundTrip(spill, 120);  // about 18 MiB
    EXPECT_FALSE(spill.uses_file());
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  sigaction(SIGXFSZ, &old_action, nullptr);
}

}  // namespace
}  // namespace tcpstate
