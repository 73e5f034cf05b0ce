// ISN analysis: Nmap's SEQ metrics, the ISN classes and the IP ID classes,
// on known sequences (table-driven where it fits).
#include "analyzer/isn_analysis.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

// One sample per connection from a different peer port (a new 4-tuple).
std::vector<IsnSample> Samples(const std::vector<uint32_t>& isns,
                               absl::Duration step) {
  std::vector<IsnSample> out;
  absl::Time t = absl::FromUnixSeconds(1000);
  for (size_t i = 0; i < isns.size(); ++i) {
    IsnSample s;
    s.isn = isns[i];
    s.t = t;
    s.packet = 10 * (i + 1);
    s.peer = IpAddress::V4(0xC6120001);
    s.port = 80;
    s.peer_port = static_cast<uint16_t>(40000 + i);
    out.push_back(s);
    t += step;
  }
  return out;
}

std::vector<uint32_t> Arithmetic(uint32_t start, uint32_t step, int n) {
  std::vector<uint32_t> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(start + step * static_cast<uint32_t>(i));
  }
  return v;
}

TEST(IsnModDiffTest, WrapAware) {
  EXPECT_EQ(IsnModDiff(0x10, 0xFFFFFFF0u), 0x20u);
  EXPECT_EQ(IsnModDiff(0xFFFFFFF0u, 0x10), 0x20u);
  EXPECT_EQ(IsnModDiff(100, 64100), 64000u);
  EXPECT_EQ(IsnModDiff(5, 5), 0u);
}

TEST(SeqMetricsTest, FixedIncrementAcrossTheWrap) {
  // +64000 per connection every 100 ms, wrapping past 2^32.
  const SeqMetrics m =
      ComputeSeqMetrics(Samples(Arithmetic(0xFFF00000u, 64000, 8),
                                absl::Milliseconds(100)));
  EXPECT_EQ(m.gcd, 64000u);
  // 640000 per second: round(8 * log2(640000)) = 154.
  EXPECT_EQ(m.isr, 154u);
  EXPECT_EQ(m.sp, 0u);  // no variation at all
}

TEST(SeqMetricsTest, RandomIsnsHaveGcdOneAndHighSp) {
  std::mt19937 rng(7);
  std::vector<uint32_t> isns;
  for (int i = 0; i < 8; ++i) {
    isns.push_back(static_cast<uint32_t>(rng()));
  }
  const SeqMetrics m =
      ComputeSeqMetrics(Samples(isns, absl::Milliseconds(100)));
  EXPECT_LT(m.gcd, 10u);
  EXPECT_GT(m.sp, 100u);
  EXPECT_STREQ(IsnDifficulty(m.sp), IsnDifficulty(250));
}

TEST(SeqMetricsTest, DifficultyLabelsFollowSp) {
  EXPECT_STREQ(IsnDifficulty(0), "Trivial joke");
  EXPECT_NE(std::string(IsnDifficulty(0)), IsnDifficulty(255));
}

struct ClassCase {
  const char* name;
  std::vector<uint32_t> isns;
  absl::Duration step;
  const char* isn_class;
  bool predictable;
};

class IsnClassTest : public testing::TestWithParam<ClassCase> {};

TEST_P(IsnClassTest, Classifies) {
  const ClassCase& c = GetParam();
  const HostIsn h = AnalyzeIsns(Samples(c.isns, c.step));
  EXPECT_TRUE(h.enough);
  EXPECT_EQ(h.isn_class, c.isn_class);
  EXPECT_EQ(h.predictable, c.predictable);
}

// RFC 793's clock (+1 every 4 us) sampled at irregular connection times.
TEST(IsnClassTest, ClockDrivenIsnsAreTimeLinear) {
  // Real connection times are not whole milliseconds apart.
  const int gaps_us[] = {37013, 51007, 29021, 83003, 44011, 66019, 13001};
  std::vector<IsnSample> s = Samples(std::vector<uint32_t>(8, 0),
                                     absl::ZeroDuration());
  absl::Duration elapsed;
  for (size_t i = 0; i < s.size(); ++i) {
    s[i].t = absl::FromUnixSeconds(1000) + elapsed;
    s[i].isn = static_cast<uint32_t>(123456 + absl::ToInt64Microseconds(
                                                  elapsed) / 4);
    if (i < 7) {
      elapsed += absl::Microseconds(gaps_us[i]);
    }
  }
  const HostIsn h = AnalyzeIsns(s);
  EXPECT_EQ(h.isn_class, "time_linear");
  EXPECT_TRUE(h.predictable);
}

std::vector<uint32_t> RandomIsns(int n) {
  std::mt19937 rng(11);
  std::vector<uint32_t> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(static_cast<uint32_t>(rng()));
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    Table, IsnClassTest,
    testing::Values(
        ClassCase{"constant", std::vector<uint32_t>(6, 424242),
                  absl::Milliseconds(50), "constant", true},
        ClassCase{"zero", std::vector<uint32_t>(6, 0), absl::Milliseconds(50),
                  "zero", true},
        ClassCase{"fixed", Arithmetic(1000, 64000, 6), absl::Milliseconds(50),
                  "fixed_increment", true},
        ClassCase{"random", RandomIsns(8), absl::Milliseconds(50), "random",
                  false}),
    [](const testing::TestParamInfo<ClassCase>& i) { return i.param.name; });

TEST(IsnAnalysisTest, FixedIncrementPredictsTheNextIsn) {
  const HostIsn h = AnalyzeIsns(
      Samples(Arithmetic(0xFFF00000u, 64000, 6), absl::Milliseconds(10)));
  ASSERT_TRUE(h.next_predicted.has_value());
  EXPECT_EQ(*h.next_predicted, 0xFFF00000u + 64000u * 6);
}

TEST(IsnAnalysisTest, TooFewSamplesGiveNoVerdict) {
  const HostIsn h =
      AnalyzeIsns(Samples(Arithmetic(1000, 64000, 3), absl::Milliseconds(10)));
  EXPECT_FALSE(h.enough);
  EXPECT_FALSE(h.predictable);
}

// IsnAnalyzer keeps the max_samples latest samples (by packet) of a host,
// whatever order the records come in, and counts a repeated 4-tuple only
// against those: checked against the definition on shuffled records.
TEST(IsnAnalyzerTest, KeepsTheLatestSamplesWhateverTheOrder) {
  constexpr size_t kMax = 4;
  std::vector<uint64_t> packets;
  for (uint64_t p = 1; p <= 40; ++p) {
    packets.push_back(p * 10);
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(packets.begin(), packets.end(), rng);
    IsnAnalyzer analyzer(/*max_hosts=*/8, kMax);
    // The definition: (packet, client port) sorted by packet, the oldest
    // dropped as soon as there are more than kMax.
    std::vector<std::pair<uint64_t, uint16_t>> kept;
    uint64_t same = 0;
    for (size_t i = 0; i < packets.size(); ++i) {
      ConnectionRecord r;
      r.server.addr = IpAddress::V4(0xC6120002);
      r.server.port = 80;
      r.server.isn = static_cast<uint32_t>(packets[i] * 1000);
      r.server.isn_packet = packets[i];
      r.client.addr = IpAddress::V4(0xC6120001);
      // Every fifth record reuses one client port: a repeated 4-tuple
      // whenever an earlier record with that port is still kept.
      r.client.port = static_cast<uint16_t>(
          i % 5 == 4 ? 50000 : 40000 + packets[i]);
      analyzer.Add(r);
      bool dup = false;
      for (const auto& [packet, port] : kept) {
        dup = dup || port == r.client.port;
      }
      if (dup) {
        ++same;
        continue;
      }
      const std::pair<uint64_t, uint16_t> sample{packets[i], r.client.port};
      kept.insert(std::upper_bound(kept.begin(), kept.end(), sample), sample);
      if (kept.size() > kMax) {
        kept.erase(kept.begin());
      }
    }
    std::vector<uint64_t> want;
    for (const auto& [packet, port] : kept) {
      want.push_back(packet);
    }
    std::vector<HostRecord> hosts;
    std::vector<Anomaly> anomalies;
    analyzer.Finish(hosts, anomalies);
    ASSERT_EQ(hosts.size(), 1u);
    ASSERT_TRUE(hosts[0].isn.has_value());
    EXPECT_EQ(hosts[0].isn->evidence, want) << "round " << round;
    EXPECT_EQ(hosts[0].isn->same_tuple, same) << "round " << round;
  }
}

struct IpIdCase {
  std::vector<uint16_t> ids;
  const char* want;
};

class IpIdClassTest : public testing::TestWithParam<IpIdCase> {};

TEST_P(IpIdClassTest, Classifies) {
  EXPECT_STREQ(IpIdClass(GetParam().ids), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpIdClassTest,
    testing::Values(IpIdCase{{0, 0, 0, 0}, "zero"},
                    IpIdCase{{7, 7, 7, 7}, "constant"},
                    IpIdCase{{100, 101, 102, 104}, "incremental"},
                    IpIdCase{{100, 40000, 3000, 61000}, "random"},
                    IpIdCase{{1, 2}, ""}));

}  // namespace
}  // namespace tcpstate
