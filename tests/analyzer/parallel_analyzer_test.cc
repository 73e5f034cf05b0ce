#include "analyzer/parallel_analyzer.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analyzer/analyzer.h"
#include "analyzer/flow_key.h"
#include "dissectors/tcp_segment.h"
#include "gtest/gtest.h"
#include "tests/analyzer/frame_script_testutil.h"

namespace tcpstate {
namespace {

using testing_script::Script;
using testing_script::kSyn;
using testing_script::kAck;
using testing_script::kRst;
using testing_script::kFin;
using testing_script::kPsh;

using testing_script::Describe;
using testing_script::Traffic;

class ParallelAnalyzerTest : public testing::TestWithParam<bool> {};

// The sharded engine gives exactly the single-threaded result: the same
// ids (creation order), records, sentences naming other connections, and
// host-level findings, for 2 to 4 shards.
TEST_P(ParallelAnalyzerTest, SameResultAsOneThread) {
  const Script script = Traffic(GetParam());
  AnalyzerOptions options;
  Analyzer single(options, nullptr);
  const std::string want = Describe(script.Run(single));
  ASSERT_NE(want.find("port_reuse"), std::string::npos);
  ASSERT_NE(want.find("syn_flood"), std::string::npos);
  ASSERT_NE(want.find("end 3"), std::string::npos) << "a sweep's record";
  for (size_t shards = 2; shards <= 4; ++shards) {
    SCOPED_TRACE(shards);
    ParallelAnalyzer parallel(options, shards, nullptr);
    EXPECT_EQ(Describe(script.Run(parallel)), want);
  }
}

// Records reach the sink in the single-threaded order.
TEST_P(ParallelAnalyzerTest, SinkSeesTheSameOrder) {
  struct Ids : ConnectionSink {
    void OnConnectionFinished(const ConnectionRecord& r) override {
      ids.push_back(r.id);
    }
    std::vector<uint64_t> ids;
  };
  const Script script = Traffic(GetParam());
  AnalyzerOptions options;
  options.retain_connections = false;
  Ids one, three;
  Analyzer single(options, &one);
  script.Run(single);
  ParallelAnalyzer parallel(options, 3, &three);
  script.Run(parallel);
  EXPECT_EQ(three.ids, one.ids);
  EXPECT_FALSE(one.ids.empty());
}

INSTANTIATE_TEST_SUITE_P(Families, ParallelAnalyzerTest,
                         testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? "Ipv6" : "Ipv4";
                         });

// A capture with no packet, and an engine dropped before Finish(), end
// without waiting forever.
TEST(ParallelAnalyzerLifecycleTest, EmptyAndAbandoned) {
  AnalyzerOptions options;
  {
    ParallelAnalyzer p(options, 4, nullptr);
    const AnalysisResult r = p.Finish();
    EXPECT_EQ(r.summary.packets, 0u);
    EXPECT_TRUE(r.connections.empty());
  }
  {
    ParallelAnalyzer p(options, 3, nullptr);
    Script s(false);
    s.Complete(1, 2, 40000, 1);
    // Frames go in; no Finish(): the destructor stops the threads.
    struct NoFinish {
      ParallelAnalyzer* p;
      void OnFrame(const Frame& f) { p->OnFrame(f); }
      AnalysisResult Finish() { return {}; }
    } feed{&p};
    s.Run(feed);
  }
}

// Both directions of a flow go to one shard, and the hash is fixed (the
// same shard in every run and on every machine: --shard K/N relies on it).
TEST(ShardOfTest, SymmetricAndFixed) {
  TcpSegment a;
  a.src = IpAddress::V4(0xC6120001);  // 198.18.0.1
  a.dst = IpAddress::V4(0xC6120002);
  a.src_port = 40000;
  a.dst_port = 80;
  TcpSegment b = a;
  std::swap(b.src, b.dst);
  std::swap(b.src_port, b.dst_port);
  bool low = false;
  const FlowKey ka = FlowKey::Of(a, &low);
  const FlowKey kb = FlowKey::Of(b, &low);
  std::vector<size_t> seen(4, 0);
  for (size_t n = 1; n <= 16; ++n) {
    EXPECT_EQ(ShardOf(ka, n), ShardOf(kb, n));
    EXPECT_LT(ShardOf(ka, n), n);
  }
  EXPECT_EQ(ShardOf(ka, 1000003), 506724u) << "the shard hash changed";
  // Flows spread over the shards.
  for (uint16_t port = 1; port <= 4000; ++port) {
    a.src_port = port;
    ++seen[ShardOf(FlowKey::Of(a, &low), 4)];
  }
  for (size_t count : seen) {
    EXPECT_GT(count, 900u);
  }
}

}  // namespace
}  // namespace tcpstate
