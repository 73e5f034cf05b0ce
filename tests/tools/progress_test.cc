#include "tools/progress.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

TEST(ProgressTest, FormatWithTotal) {
  EXPECT_EQ(FormatProgress({uint64_t{50} << 20, uint64_t{100} << 20, 120000,
                            absl::Seconds(10)}),
            "tcpstate: 50.0 of 100.0 MiB (50%), 120000 packets, 12000 pkt/s, "
            "ETA 0:10");
}

TEST(ProgressTest, FormatLongEta) {
  EXPECT_EQ(FormatProgress({uint64_t{1} << 20, uint64_t{400} << 20, 10,
                            absl::Seconds(10)}),
            "tcpstate: 1.0 of 400.0 MiB (0%), 10 packets, 1 pkt/s, ETA "
            "1:06:30");
}

TEST(ProgressTest, FormatWithoutTotal) {
  EXPECT_EQ(FormatProgress({uint64_t{3} << 19, 0, 7, absl::Seconds(2)}),
            "tcpstate: 1.5 MiB read, 7 packets, 3 pkt/s");
}

TEST(ProgressTest, FormatAtStartAndEnd) {
  EXPECT_EQ(FormatProgress({0, 1 << 20, 0, absl::ZeroDuration()}),
            "tcpstate: 0.0 of 1.0 MiB (0%), 0 packets, 0 pkt/s");
  EXPECT_EQ(FormatProgress({1 << 20, 1 << 20, 5, absl::Seconds(1)}),
            "tcpstate: 1.0 of 1.0 MiB (100%), 5 packets, 5 pkt/s");
}

TEST(ProgressTest, WantedOnlyOnATerminalWithoutQuiet) {
  EXPECT_TRUE(ProgressWanted(true, false));
  EXPECT_FALSE(ProgressWanted(true, true));
  EXPECT_FALSE(ProgressWanted(false, false));
  EXPECT_FALSE(ProgressWanted(false, true));
}

class FakeClock {
 public:
  absl::Time now = absl::FromUnixSeconds(1000);
  ProgressMeter::Clock fn() {
    return [this] { return now; };
  }
};

// Feeds `n` updates (the meter reads the clock every 256).
void Feed(ProgressMeter& m, int n, uint64_t* packets) {
  for (int i = 0; i < n; ++i) {
    m.Update(*packets * 100, 1000000, *packets);
    ++*packets;
  }
}

TEST(ProgressTest, ShortRunsShowNothing) {
  FakeClock clock;
  std::ostringstream out;
  ProgressMeter m(&out, clock.fn());
  uint64_t packets = 1;
  Feed(m, 1000, &packets);
  clock.now += absl::Milliseconds(900);
  Feed(m, 1000, &packets);
  m.Finish();
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressTest, OneLineRewrittenAtMostFourTimesASecondThenCleared) {
  FakeClock clock;
  std::ostringstream out;
  ProgressMeter m(&out, clock.fn());
  uint64_t packets = 1;
  clock.now += absl::Seconds(2);
  Feed(m, 256, &packets);
  const std::string first = out.str();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0], '\r');
  EXPECT_EQ(first.find('\n'), std::string::npos);
  Feed(m, 2560, &packets);  // same instant: no redraw
  EXPECT_EQ(out.str(), first);
  clock.now += absl::Milliseconds(300);
  Feed(m, 256, &packets);
  EXPECT_GT(out.str().size(), first.size());
  m.Finish();
  // Cleared: "\r", blanks as wide as the last line, "\r".
  const std::string all = out.str();
  ASSERT_EQ(all.back(), '\r');
  const size_t blank_start = all.rfind('\r', all.size() - 2);
  const size_t last_line = all.rfind('\r', blank_start - 1);
  const std::string blanks = all.substr(blank_start + 1,
                                        all.size() - blank_start - 2);
  EXPECT_EQ(blanks, std::string(blanks.size(), ' '));
  EXPECT_EQ(blanks.size(), blank_start - last_line - 1);
}

TEST(ProgressTest, NullStreamDoesNothing) {
  FakeClock clock;
  int reads = 0;
  ProgressMeter m(nullptr, [&] {
    ++reads;
    return clock.now;
  });
  uint64_t packets = 1;
  Feed(m, 1000, &packets);
  m.Finish();
  EXPECT_EQ(reads, 0);
}

}  // namespace
}  // namespace tcpstate
