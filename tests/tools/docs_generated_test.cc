// The generated parts of docs/ must be exactly what their generators print,
// so the documentation cannot drift: docs/anomalies.md's table is
// `tcpstate --list-anomalies`, docs/cli.md's option reference is
// `tcpstate-docs cli-md` (the option table).

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "analyzer/anomaly_catalogue.h"
#include "gtest/gtest.h"
#include "absl/strings/string_view.h"
#include "tools/anomaly_table.h"
#include "tools/doc_gen.h"

namespace tcpstate {
namespace {

constexpr char kBegin[] = "<!-- anomaly-table:begin -->\n";
constexpr char kEnd[] = "<!-- anomaly-table:end -->";

// The text of docs/`name` between `begin` and `end`.
std::string Between(const std::string& name, absl::string_view begin,
                    absl::string_view end) {
  std::ifstream in(std::string(TCPSTATE_SOURCE_DIR) + "/docs/" + name,
                   std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  const std::string doc = content.str();
  const size_t from = doc.find(std::string(begin));
  const size_t to = doc.find(std::string(end));
  if (from == std::string::npos || to == std::string::npos || to < from) {
    return "<markers missing>";
  }
  return doc.substr(from + begin.size(), to - from - begin.size());
}

std::string AnomaliesDocTable() { return Between("anomalies.md", kBegin, kEnd); }

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

TEST(DocsGeneratedTest, TableIsTheOutputOfListAnomalies) {
  int status = -1;
  const std::string listed = ListAnomalies(&status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(listed, AnomalyCatalogueMarkdown());
  EXPECT_EQ(AnomaliesDocTable(), listed)
      << "docs/anomalies.md is out of date: put the output of `tcpstate "
         "--list-anomalies` between the anomaly-table markers";
}

TEST(DocsGeneratedTest, CliReferenceIsTheOptionTable) {
  EXPECT_EQ(Between("cli.md", "<!-- BEGIN GENERATED: tcpstate-docs cli-md -->\n",
                    "<!-- END GENERATED -->"),
            CliMarkdown())
      << "docs/cli.md is out of date: put the output of "
         "`build/tools/tcpstate-docs cli-md` between its GENERATED markers";
}

TEST(DocsGeneratedTest, OneRowPerKindInCatalogueOrder) {
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
