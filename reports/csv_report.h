#pragma once

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"

namespace tcpstate {

// `--format csv`: a header row and one row per connection (RFC 4180: comma
// separated, CRLF line ends, a field quoted when it holds a comma, a
// double quote, CR or LF, quotes inside doubled). Pure; byte-identical for
// equal input.

// One text cell: invalid UTF-8 replaced by U+FFFD; a leading = + - @ TAB
// or CR prefixed with ' (spreadsheet formula injection); then quoted as
// RFC 4180 requires.
std::string CsvTextCell(absl::string_view text);

// A numeric cell (never prefixed: "-0.5" stays a number).
std::string CsvNumberCell(absl::string_view number);

// The column names, in order.
std::string CsvHeader();

// One connection as a row (CRLF included).
std::string CsvRow(const ConnectionRecord& c);

void WriteCsv(const AnalysisResult& result, std::ostream& os);

}  // namespace tcpstate
