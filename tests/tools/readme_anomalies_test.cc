// README.md's anomaly table must be exactly what `tcpstate --list-anomalies`
// prints, so the documentation cannot drift from the catalogue.

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "analyzer/anomaly_catalogue.h"
#include "gtest/gtest.h"
#include "tools/anomaly_table.h"

namespace tcpstate {
namespace {

constexpr char kBegin[] = "<!-- anomaly-table:begin -->\n";
constexpr char kEnd[] = "<!-- anomaly-table:end -->";

std::string ReadmeTable() {
  std::ifstream in(std::string(TCPSTATE_SOURCE_DIR) + "/README.md",
                   std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  const std::string readme = content.str();
  const size_t begin = readme.find(kBegin);
  const size_t end = readme.find(kEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return "<markers missing>";
  }
  return readme.substr(begin + sizeof(kBegin) - 1,
                       end - begin - (sizeof(kBegin) - 1));
}

std::string ListAnomalies(int* exit_status) {
  const std::string command =
      std::string("'") + TCPSTATE_BINARY + "' --list-anomalies";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_status = -1;
    return "";
  }
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    out.append(buffer, n);
  }
  *exit_status = pclose(pipe);
  return out;
}

TEST(ReadmeAnomaliesTest, TableIsTheOutputOfListAnomalies) {
  int status = -1;
  const std::string listed = ListAnomalies(&status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(listed, AnomalyCatalogueMarkdown());
  EXPECT_EQ(ReadmeTable(), listed)
      << "README.md is out of date: put the output of `tcpstate "
         "--list-anomalies` between the anomaly-table markers";
}

TEST(ReadmeAnomaliesTest, OneRowPerKindInCatalogueOrder) {
  const std::string table = AnomalyCatalogueMarkdown();
  size_t pos = table.find("|---|---|---|---|\n");
  ASSERT_NE(pos, std::string::npos);
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    const std::string row = std::string("| `") + info.id + "` | ";
    const size_t found = table.find(row, pos);
    ASSERT_NE(found, std::string::npos) << info.id;
    EXPECT_EQ(table[found - 1], '\n') << info.id;
    pos = found;
  }
}

}  // namespace
}  // namespace tcpstate
