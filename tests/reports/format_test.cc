#include "reports/format.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

TEST(FormatTest, EpochSeconds) {
  EXPECT_EQ(FormatEpochSeconds(absl::UnixEpoch()), "0.000000");
  EXPECT_EQ(FormatEpochSeconds(absl::FromUnixMicros(1700000000250001)),
            "1700000000.250001");
  // Sub-microsecond parts are cut, never rounded up.
  EXPECT_EQ(FormatEpochSeconds(absl::FromUnixNanos(1999999999)), "1.999999");
  EXPECT_EQ(FormatEpochSeconds(absl::FromUnixMicros(-1500000)), "-1.500000");
}

TEST(FormatTest, Seconds) {
  EXPECT_EQ(FormatSeconds(absl::ZeroDuration()), "0.000000");
  EXPECT_EQ(FormatSeconds(absl::Milliseconds(12005)), "12.005000");
  EXPECT_EQ(FormatSeconds(absl::Microseconds(-500000)), "-0.500000");
  EXPECT_EQ(FormatSeconds(absl::Hours(2)), "7200.000000");
}

// Digits are written two at a time: every length, both parities, and the
// ends of the range.
TEST(FormatTest, WriteUintMatchesToString) {
  std::vector<uint64_t> values = {0, 9, 10, 99, 100, 101, 999, 1000,
                                  std::numeric_limits<uint64_t>::max()};
  for (uint64_t p = 1; p < 10000000000000000000ull; p *= 10) {
    values.push_back(p - 1);
    values.push_back(p + 7);
  }
  for (uint64_t v : values) {
    char buf[24];
    EXPECT_EQ(std::string(buf, WriteUint(v, buf)), std::to_string(v));
  }
  EXPECT_EQ(FormatSeconds(absl::Seconds(10) + absl::Microseconds(5)),
            "10.000005");
  EXPECT_EQ(FormatSeconds(absl::Seconds(123456789)), "123456789.000000");
}

TEST(FormatTest, WriteAddressMatchesToString) {
  const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                          0,    0,    0,    0,    0, 0, 0, 1};
  const uint8_t v4[4] = {10, 0, 200, 9};
  for (const IpAddress& a :
       {IpAddress::V4(0), IpAddress::V4(0xFFFFFFFF), IpAddress::V4(0x0A000001),
        IpAddress::FromBytes(v4), IpAddress::FromBytes(v6)}) {
    char buf[kAddressChars];
    EXPECT_EQ(std::string(buf, WriteAddress(a, buf)), a.ToString());
  }
}

TEST(FormatTest, Utc) {
  EXPECT_EQ(FormatUtc(absl::FromUnixMicros(1700000000250000)),
            "2023-11-14 22:13:20.250000 UTC");
}

struct EndpointCase {
  IpAddress addr;
  uint16_t port;
  std::string expected;
};

class FormatEndpointTest : public testing::TestWithParam<EndpointCase> {};

TEST_P(FormatEndpointTest, Formats) {
  EXPECT_EQ(FormatEndpoint(GetParam().addr, GetParam().port),
            GetParam().expected);
}

const uint8_t kV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                         0,    0,    0,    0,    0, 0, 0, 1};

INSTANTIATE_TEST_SUITE_P(Cases, FormatEndpointTest,
                         testing::Values(EndpointCase{IpAddress::V4(0xC6120001),
                                                      54566,
                                                      "198.18.0.1:54566"},
                                         EndpointCase{IpAddress::FromBytes(kV6),
                                                      80, "[2001:db8::1]:80"}));

ConnectionRecord WithStates(TcpState client, TcpState server,
                            const std::string& conn_state) {
  ConnectionRecord c;
  c.client.state = client;
  c.server.state = server;
  c.conn_state = conn_state;
  return c;
}

TEST(ConnectionTallyTest, SortsByCountThenNames) {
  const ConnectionTally tally = ConnectionTally::Of({
      WithStates(TcpState::kTimeWait, TcpState::kClosed, "SF"),
      WithStates(TcpState::kCloseWait, TcpState::kFinWait1, "S1"),
      WithStates(TcpState::kTimeWait, TcpState::kClosed, "SF"),
      WithStates(TcpState::kClosed, TcpState::kClosed, "REJ"),
      WithStates(TcpState::kTimeWait, TcpState::kClosed, "SF"),
  });
  const std::vector<ConnectionTally::StatePair> pairs = tally.StatePairs();
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].client, "TIME_WAIT");
  EXPECT_EQ(pairs[0].server, "CLOSED");
  EXPECT_EQ(pairs[0].count, 3u);
  EXPECT_EQ(pairs[1].client, "CLOSED");  // ties: by client name
  EXPECT_EQ(pairs[2].client, "CLOSE_WAIT");
  EXPECT_EQ(pairs[2].server, "FIN_WAIT_1");
  const std::map<std::string, uint64_t> expected = {
      {"REJ", 1}, {"S1", 1}, {"SF", 3}};
  EXPECT_EQ(tally.ConnStates(), expected);
}

TEST(ConnectionTallyTest, IncrementalEqualsBatch) {
  const std::vector<ConnectionRecord> records = {
      WithStates(TcpState::kEstablished, TcpState::kEstablished, "S1"),
      WithStates(TcpState::kClosed, TcpState::kClosed, "RSTO")};
  ConnectionTally streamed;
  for (const ConnectionRecord& r : records) {
    streamed.Add(r);
  }
  EXPECT_EQ(streamed.ConnStates(), ConnectionTally::Of(records).ConnStates());
  EXPECT_EQ(streamed.StatePairs().size(), 2u);
}

TEST(SortedDecodeCountersTest, SortedByNameAndFiltered) {
  DecodeCounters counters;
  counters.Bump(DecodeCounter::kTcpZeroPort);
  counters.Bump(DecodeCounter::kNonIp);
  counters.Bump(DecodeCounter::kNonIp);
  const auto nonzero = SortedDecodeCounters(counters, false);
  ASSERT_EQ(nonzero.size(), 2u);
  EXPECT_EQ(nonzero[0], (std::pair<std::string, uint64_t>{"non_ip", 2}));
  EXPECT_EQ(nonzero[1], (std::pair<std::string, uint64_t>{"tcp_zero_port", 1}));
  const auto all = SortedDecodeCounters(counters, true);
  EXPECT_EQ(all.size(), kNumDecodeCounters);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].first, all[i].first);
  }
}

struct DurationCase {
  absl::Duration d;
  const char* human;
  const char* tick;
};

class DurationFormatTest : public testing::TestWithParam<DurationCase> {};

TEST_P(DurationFormatTest, HumanAndTickLabels) {
  EXPECT_EQ(HumanDuration(GetParam().d), GetParam().human);
  EXPECT_EQ(TickLabel(GetParam().d), GetParam().tick);
}

INSTANTIATE_TEST_SUITE_P(
    Units, DurationFormatTest,
    testing::Values(
        DurationCase{absl::Microseconds(250), "250µs", "250µs"},
        DurationCase{absl::Microseconds(1500), "1.5ms", "1.5ms"},
        DurationCase{absl::Milliseconds(500), "500.0ms", "500ms"},
        DurationCase{absl::Milliseconds(2500), "2.50s", "2.5s"},
        DurationCase{absl::Seconds(90), "1m30s", "1m30s"},
        DurationCase{absl::Minutes(2), "2m00s", "2m"},
        DurationCase{absl::Minutes(2) + absl::Milliseconds(49440), "2m49s",
                     "2m49.44s"},
        DurationCase{absl::Hours(1) + absl::Minutes(30), "1h30m", "1h30m"},
        DurationCase{absl::Hours(30), "1d06h", "1d6h"}));

TEST(TimeTicksTest, RoundStepsAtMostMaxTicks) {
  struct Case {
    absl::Duration span;
    absl::Duration step;
  } cases[] = {
      {absl::Microseconds(7), absl::Microseconds(2)},
      {absl::Milliseconds(3), absl::Milliseconds(1)},
      {absl::Seconds(3), absl::Seconds(1)},
      {absl::Seconds(40), absl::Seconds(10)},
      {absl::Seconds(70), absl::Seconds(15)},
      {absl::Minutes(10) + absl::Milliseconds(247), absl::Minutes(2)},
      {absl::Hours(20), absl::Hours(6)},
      {absl::Hours(24 * 9), absl::Hours(48)},
  };
  for (const Case& c : cases) {
    const std::vector<absl::Duration> ticks = TimeTicks(c.span, 5);
    ASSERT_GE(ticks.size(), 2u) << c.span;
    EXPECT_LE(ticks.size(), 6u) << c.span;
    EXPECT_EQ(ticks[0], absl::ZeroDuration());
    EXPECT_EQ(ticks[1], c.step) << c.span;
    EXPECT_LE(ticks.back(), c.span);
    EXPECT_GT(ticks.back() + c.step, c.span);
  }
  EXPECT_EQ(TimeTicks(absl::ZeroDuration(), 5).size(), 1u);
}

TEST(TallyHostsTest, FindingsShownOthersCountedByVerdict) {
  std::vector<HostRecord> hosts(5);
  for (uint32_t i = 0; i < 5; ++i) {
    hosts[i].addr = IpAddress::V4(0x0A000001 + i);
    hosts[i].isn = HostIsn();
    hosts[i].isn->enough = i != 4;
    hosts[i].isn->isn_class = "random";
  }
  hosts[0].isn->predictable = true;
  hosts[1].anomalies.push_back(Anomaly());
  hosts[2].isn.reset();
  const HostTally one = TallyHosts(hosts, 1);
  ASSERT_EQ(one.shown.size(), 1u);
  EXPECT_EQ(one.shown[0], &hosts[0]);
  EXPECT_EQ(one.with_finding, 2u);
  EXPECT_EQ(one.others, 2u);  // host 2 chose no ISN
  EXPECT_EQ(one.other_verdicts.at("random"), 1u);
  EXPECT_EQ(one.other_verdicts.at("not enough samples"), 1u);
  EXPECT_EQ(TallyHosts(hosts, 10).shown.size(), 2u);
}

}  // namespace
}  // namespace tcpstate
