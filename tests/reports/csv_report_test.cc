#include "reports/csv_report.h"

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

struct CellCase {
  const char* name;
  std::string in;
  std::string want;
};

class CsvTextCellTest : public testing::TestWithParam<CellCase> {};

TEST_P(CsvTextCellTest, EscapesAsDocumented) {
  EXPECT_EQ(CsvTextCell(GetParam().in), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Cells, CsvTextCellTest,
    testing::Values(
        CellCase{"plain", "ESTABLISHED", "ESTABLISHED"},
        CellCase{"empty", "", ""},
        CellCase{"comma", "a,b", "\"a,b\""},
        CellCase{"quote", "say \"hi\"", "\"say \"\"hi\"\"\""},
        CellCase{"newline", "a\nb", "\"a\nb\""},
        CellCase{"equals", "=1+2", "'=1+2"},
        CellCase{"plus", "+SUM(A1)", "'+SUM(A1)"},
        CellCase{"minus", "-2+3", "'-2+3"},
        CellCase{"at", "@SUM(A1)", "'@SUM(A1)"},
        CellCase{"tab", "\t=x", "'\t=x"},
        CellCase{"cr", "\r=x", "\"'\r=x\""},
        CellCase{"formula_and_comma", "=HYPERLINK(\"x\",1)",
                 "\"'=HYPERLINK(\"\"x\"\",1)\""},
        CellCase{"inner_equals_kept", "a=b", "a=b"},
        CellCase{"invalid_utf8", std::string("a\xff", 2), "a\xEF\xBF\xBD"}),
    [](const testing::TestParamInfo<CellCase>& info) {
      return std::string(info.param.name);
    });

TEST(CsvReportTest, NumbersAreNeverPrefixed) {
  EXPECT_EQ(CsvNumberCell("-0.500000"), "-0.500000");
  EXPECT_EQ(CsvNumberCell("12"), "12");
}

// Splits RFC 4180 text into records of fields (quoted fields may hold
// commas, doubled quotes and line breaks).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field.push_back(ch);
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field.push_back(ch);
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  EXPECT_TRUE(rows.back().empty() && field.empty()) << "no final CRLF";
  rows.pop_back();
  return rows;
}

TEST(CsvReportTest, SampleMatchesGolden) {
  std::ostringstream os;
  WriteCsv(testing_results::Sample(), os);
  EXPECT_EQ(os.str(), testing_results::Golden("sample.csv", os.str()));
}

TEST(CsvReportTest, EveryRowHasEveryColumn) {
  for (const AnalysisResult& r :
       {testing_results::Sample(), testing_results::Hostile(),
        testing_results::Empty()}) {
    std::ostringstream os;
    WriteCsv(r, os);
    const auto rows = ParseCsv(os.str());
    ASSERT_EQ(rows.size(), r.connections.size() + 1);
    for (const auto& row : rows) {
      EXPECT_EQ(row.size(), rows[0].size());
    }
    EXPECT_EQ(rows[0][0], "id");
    EXPECT_EQ(rows[0].back(), "server_rtt_stddev");
  }
}

TEST(CsvReportTest, HostileStringsStayInTheirCells) {
  const AnalysisResult r = testing_results::Hostile();
  std::ostringstream os;
  WriteCsv(r, os);
  const auto rows = ParseCsv(os.str());
  ASSERT_EQ(rows.size(), 2u);
  const std::vector<std::string>& header = rows[0];
  const std::vector<std::string>& row = rows[1];
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "conn_state" || header[i] == "history") {
      // Same text, invalid UTF-8 replaced; quoting undone by the parser.
      EXPECT_EQ(row[i].substr(0, 4), "q\"b\\") << header[i];
      EXPECT_NE(row[i].find("</script>"), std::string::npos);
    }
    if (!row[i].empty()) {
      const char first = row[i][0];
      EXPECT_TRUE(first != '=' && first != '+' && first != '@' &&
                  first != '\t' && first != '\r')
          << header[i] << ": " << row[i];
    }
  }
}

TEST(CsvReportTest, FormulaInHistoryIsDefused) {
  AnalysisResult r = testing_results::Sample();
  r.connections[0].history = "=cmd|' /C calc'!A0";
  r.connections[0].conn_state = "-2+3";
  const std::string row = CsvRow(r.connections[0]);
  EXPECT_NE(row.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << row;
  EXPECT_NE(row.find(",'-2+3,"), std::string::npos) << row;
}

TEST(CsvReportTest, HandshakeRttAndAnomalyIds) {
  AnalysisResult r = testing_results::Sample();
  ConnectionRecord& c = r.connections[0];
  c.handshake_rtt = absl::Microseconds(1500);
  c.anomalies.resize(2);
  c.anomalies[0].kind = "retransmission";
  c.anomalies[1].kind = "close_wait_stuck";
  c.anomalies.push_back(c.anomalies[0]);  // same kind twice: listed once
  const std::string row = CsvRow(c);
  EXPECT_NE(row.find(",0.001500,"), std::string::npos) << row;
  EXPECT_NE(row.find(",retransmission;close_wait_stuck,,,0,,,,,0,,,,\r\n"),
            std::string::npos)
      << row;
}

TEST(CsvReportTest, PossibleStatesAreTheLastColumns) {
  AnalysisResult r = testing_results::Sample();
  ConnectionRecord& c = r.connections[0];
  PossibleState a;
  a.state = TcpState::kFinWait1;
  a.reasons = {PossibleReason::kClosedBehindData};
  PossibleState b;
  b.state = TcpState::kCloseWait;
  b.reasons = {PossibleReason::kPeerFinArrived};
  c.client.possible_states = {b, a};
  c.server.possible_states = {a};
  const std::string row = CsvRow(c);
  EXPECT_NE(row.find(",CLOSE_WAIT|FIN_WAIT_1,FIN_WAIT_1,0,"),
            std::string::npos)
      << row;
  // Then each endpoint's data round trips: samples, min, avg, max, stddev.
  c.client.rtt = {2, absl::Microseconds(10), absl::Microseconds(15),
                  absl::Microseconds(20), absl::Microseconds(5)};
  EXPECT_NE(CsvRow(c).find(",2,0.000010000,0.000015000,0.000020000,"
                           "0.000005000,0,,,,\r\n"),
            std::string::npos)
      << CsvRow(c);
}

}  // namespace
}  // namespace tcpstate
