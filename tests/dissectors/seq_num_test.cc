#include "dissectors/seq_num.h"

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

struct SeqCase {
  uint32_t a;
  uint32_t b;
  bool a_before_b;
};

class SeqNumOrderTest : public testing::TestWithParam<SeqCase> {};

TEST_P(SeqNumOrderTest, ModularOrder) {
  const SeqCase& c = GetParam();
  EXPECT_EQ(SeqNum(c.a).IsBefore(SeqNum(c.b)), c.a_before_b);
  EXPECT_EQ(SeqNum(c.b).IsAfter(SeqNum(c.a)), c.a_before_b);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SeqNumOrderTest,
    testing::Values(SeqCase{1, 2, true}, SeqCase{2, 1, false},
                    SeqCase{5, 5, false},
                    SeqCase{0xFFFFFFF0u, 0x10u, true},  // across the wrap
                    SeqCase{0x10u, 0xFFFFFFF0u, false},
                    SeqCase{0, 0x7FFFFFFFu, true},
                    SeqCase{0x7FFFFFFFu, 0, false}));

TEST(SeqNumTest, RangesWrap) {
  const SeqNum begin(0xFFFFFFFEu);
  const SeqNum end = begin.Plus(4);  // 2
  EXPECT_EQ(end.value(), 2u);
  EXPECT_TRUE(SeqNum(0xFFFFFFFFu).InRange(begin, end));
  EXPECT_TRUE(SeqNum(1).InRange(begin, end));
  EXPECT_FALSE(SeqNum(2).InRange(begin, end));
  EXPECT_TRUE(SeqNum(2).InClosedRange(begin, end));
  EXPECT_FALSE(SeqNum(3).InClosedRange(begin, end));
  EXPECT_FALSE(SeqNum(5).InRange(SeqNum(5), SeqNum(5)));
  EXPECT_EQ(begin.DistanceTo(end), 4);
  EXPECT_EQ(end.DistanceTo(begin), -4);
  EXPECT_EQ(SeqMax(begin, end), end);
}

}  // namespace
}  // namespace tcpstate
