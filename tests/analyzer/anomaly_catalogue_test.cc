#include "analyzer/anomaly_catalogue.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

bool IsSnakeCase(const std::string& id) {
  if (id.empty() || id.front() < 'a' || id.front() > 'z' || id.back() == '_' ||
      id.find("__") != std::string::npos) {
    return false;
  }
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

TEST(AnomalyCatalogueTest, OneEntryPerKindInEnumOrder) {
  ASSERT_EQ(AnomalyCatalogue().size(), kNumAnomalyKinds);
  for (size_t i = 0; i < kNumAnomalyKinds; ++i) {
    const AnomalyKind kind = static_cast<AnomalyKind>(i);
    EXPECT_EQ(AnomalyCatalogue()[i].kind, kind) << i;
    EXPECT_EQ(&InfoOf(kind), &AnomalyCatalogue()[i]) << i;
  }
}

TEST(AnomalyCatalogueTest, IdsAreUniqueSnakeCase) {
  std::set<std::string> seen;
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    ASSERT_NE(info.id, nullptr);
    EXPECT_TRUE(IsSnakeCase(info.id)) << info.id;
    EXPECT_TRUE(seen.insert(info.id).second) << "duplicate id " << info.id;
  }
}

TEST(AnomalyCatalogueTest, EveryEntryIsComplete) {
  const std::set<std::string> categories = {"lifecycle", "host",
                                            "data_transfer"};
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    ASSERT_NE(info.category, nullptr) << info.id;
    EXPECT_EQ(categories.count(info.category), 1u) << info.id;
    ASSERT_NE(info.definition, nullptr) << info.id;
    const std::string definition = info.definition;
    EXPECT_FALSE(definition.empty()) << info.id;
    EXPECT_EQ(definition.find('\n'), std::string::npos) << info.id;
    EXPECT_EQ(definition.find('|'), std::string::npos) << info.id;
    EXPECT_EQ(definition.back(), '.') << info.id;
  }
}

TEST(AnomalyCatalogueTest, IdsRoundTrip) {
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    const std::optional<AnomalyKind> kind = AnomalyKindFromId(info.id);
    ASSERT_TRUE(kind.has_value()) << info.id;
    EXPECT_EQ(*kind, info.kind);
    EXPECT_STREQ(InfoOf(*kind).id, info.id);
  }
}

TEST(AnomalyCatalogueTest, UnknownIdsAreRejected) {
  for (const char* id : {"", "CLOSE_WAIT_STUCK", "close_wait_stuck ",
                         "close-wait-stuck", "close_wait", "unknown"}) {
    EXPECT_FALSE(AnomalyKindFromId(id).has_value()) << "'" << id << "'";
  }
}

}  // namespace
}  // namespace tcpstate
