#include "analyzer/capture/dlt_map.h"

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

struct DltCase {
  int dlt;
  std::optional<LinkType> expected;
};

void PrintTo(const DltCase& c, std::ostream* os) { *os << "DLT " << c.dlt; }

class DltMapTest : public testing::TestWithParam<DltCase> {};

TEST_P(DltMapTest, MapsDltValues) {
  EXPECT_EQ(LinkTypeFromDlt(GetParam().dlt), GetParam().expected)
      << "DLT " << GetParam().dlt;
}

INSTANTIATE_TEST_SUITE_P(
    Values, DltMapTest,
    testing::Values(
        DltCase{0, LinkType::kNull}, DltCase{1, LinkType::kEthernet},
        DltCase{12, LinkType::kRaw}, DltCase{14, LinkType::kRaw},
        DltCase{101, LinkType::kRaw}, DltCase{108, LinkType::kLoop},
        DltCase{113, LinkType::kLinuxSll}, DltCase{228, LinkType::kIpv4},
        DltCase{229, LinkType::kIpv6}, DltCase{276, LinkType::kLinuxSll2},
        DltCase{10, LinkType::kFddi},
        DltCase{105, std::nullopt}, DltCase{127, std::nullopt},
        DltCase{-1, std::nullopt}, DltCase{65000, std::nullopt}));

}  // namespace
}  // namespace tcpstate
