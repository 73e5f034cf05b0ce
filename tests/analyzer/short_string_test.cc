#include "analyzer/short_string.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

TEST(ShortStringTest, FitsSixteenBytes) {
  EXPECT_EQ(sizeof(ShortString), 16u);
}

// Every mix of appends and prepends, across the 15-character inline limit,
// gives what std::string gives.
TEST(ShortStringTest, AgreesWithStdString) {
  for (int front_every : {0, 1, 2, 3, 7}) {
    SCOPED_TRACE(front_every);
    ShortString s;
    std::string want;
    for (int i = 0; i < 40; ++i) {
      const char c = static_cast<char>('a' + i % 26);
      if (front_every != 0 && i % front_every == 0) {
        s.push_front(c);
        want.insert(want.begin(), c);
      } else {
        s.push_back(c);
        want.push_back(c);
      }
      ASSERT_EQ(s.view(), want);
      ASSERT_EQ(s.size(), want.size());
      ASSERT_EQ(s[s.size() - 1], want.back());
    }
    EXPECT_EQ(s.str(), want);
  }
}

TEST(ShortStringTest, MovesLeaveTheSourceEmpty) {
  for (const size_t n : {size_t{3}, size_t{15}, size_t{16}, size_t{30}}) {
    SCOPED_TRACE(n);
    ShortString a;
    for (size_t i = 0; i < n; ++i) {
      a.push_back('x');
    }
    ShortString b(std::move(a));
    EXPECT_EQ(b.view(), std::string(n, 'x'));
    EXPECT_TRUE(a.empty());  // NOLINT: a moved-from ShortString is empty
    ShortString c;
    c.push_back('y');
    c = std::move(b);
    EXPECT_EQ(c.view(), std::string(n, 'x'));
    EXPECT_TRUE(b.empty());  // NOLINT
  }
}

}  // namespace
}  // namespace tcpstate
