#include "analyzer/shard_run.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/analyzer.h"
#include "analyzer/part_codec.h"
#include "analyzer/part_file.h"
#include "analyzer/shard_merge.h"
#include "gtest/gtest.h"
#include "tests/analyzer/frame_script_testutil.h"

namespace tcpstate {
namespace {

using testing_script::Describe;
using testing_script::Script;
using testing_script::Traffic;

// Shard k of n over the whole script, written to a part file.
struct ShardEngine {
  ShardEngine(const AnalyzerOptions& options, size_t k, size_t n,
              const std::string& path)
      : file(path, std::ios::binary),
        writer(&file, PartHeader{"test", k, n, AnalysisFingerprint(options),
                                 "", {"script"}}),
        run(options, k, n, &writer) {}
  void OnFrame(const Frame& f) { run.OnFrame(f); }
  AnalysisResult Finish() {
    PartTrailer t;
    t.summary = run.Finish();
    t.created = run.created();
    t.digest = run.digest();
    writer.Finish(t);
    file.close();
    return AnalysisResult();
  }
  std::ofstream file;
  PartWriter writer;
  ShardRun run;
};

// The parts of `n` shards, merged as `tcpstate merge` does.
AnalysisResult ViaParts(const Script& script, const AnalyzerOptions& options,
                        size_t n, std::vector<uint64_t>* created) {
  std::vector<std::string> paths;
  for (size_t k = 0; k < n; ++k) {
    // ctest runs each test in a process of its own, two at a time.
    paths.push_back(absl::StrCat(testing::TempDir(), "/shard_run_test_",
                                 getpid(), "_", k, "_of_", n));
    ShardEngine engine(options, k, n, paths.back());
    script.Run(engine);
  }
  std::vector<std::unique_ptr<PartReader>> readers;
  std::vector<PartReader*> by_shard;
  for (const std::string& p : paths) {
    absl::StatusOr<std::unique_ptr<PartReader>> r = PartReader::Open(p);
    EXPECT_TRUE(r.ok()) << r.status();
    readers.push_back(std::move(*r));
    by_shard.push_back(readers.back().get());
  }
  const PartTrailer& t = readers[0]->trailer();
  EXPECT_EQ(readers[0]->header().shards, n);
  ShardMerge merge(CollectorOptionsOf(options), nullptr, n);
  EXPECT_TRUE(ReplayParts(by_shard, t.summary.last_packet_time, merge).ok());
  uint64_t total = 0;
  for (const auto& r : readers) {
    EXPECT_EQ(r->trailer().digest, t.digest);  // every shard read it all
    created->push_back(r->trailer().created);
    total += r->trailer().created;
  }
  return merge.collector().Finish(t.summary, total);
}

class ShardRunTest : public testing::TestWithParam<bool> {};

// Parts of 1 to 5 shards, written, read back and merged, give the single
// table's result: ids, records, port-reuse sentences, host findings.
TEST_P(ShardRunTest, MergedPartsEqualOneTable) {
  const Script script = Traffic(GetParam());
  AnalyzerOptions options;
  Analyzer single(options, nullptr);
  const AnalysisResult one = script.Run(single);
  const std::string want = Describe(one);
  ASSERT_NE(want.find("port_reuse"), std::string::npos);
  ASSERT_NE(want.find("syn_flood"), std::string::npos);
  for (size_t n = 1; n <= 5; ++n) {
    SCOPED_TRACE(n);
    std::vector<uint64_t> created;
    EXPECT_EQ(Describe(ViaParts(script, options, n, &created)), want);
    // Each shard created only its share of the connections.
    uint64_t sum = 0;
    for (uint64_t c : created) {
      sum += c;
      if (n > 1) {
        EXPECT_GT(c, 0u);
        EXPECT_LT(c, one.summary.connections);
      }
    }
    EXPECT_EQ(sum, one.summary.connections);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, ShardRunTest, testing::Bool());

TEST(ShardRunTest, EmptyCapture) {
  const Script script(false);
  std::vector<uint64_t> created;
  const AnalysisResult r = ViaParts(script, AnalyzerOptions(), 3, &created);
  EXPECT_EQ(r.summary.packets, 0u);
  EXPECT_TRUE(r.connections.empty());
}

}  // namespace
}  // namespace tcpstate
