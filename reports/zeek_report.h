#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"

namespace tcpstate {

// `--format zeek`: the connections as a Zeek conn.log in Zeek's TSV format
// (the ASCII writer's header lines, one row per connection, #close).
// `#open`/`#close` come from the first and last packet times, so the
// output is byte-identical for the same input.

// A string field: empty as "(empty)", a value equal to the unset ("-") or
// empty marker with its first byte escaped, and TAB, ',' (the set
// separator), '\', control bytes, DEL and bytes >= 0x80 as \xNN.
std::string ZeekString(absl::string_view s);

// "C" followed by 17 base62 digits of a 96-bit hash of the connection's
// id, 5-tuple and first packet time: deterministic, and different for
// different captures.
std::string ZeekUid(const ConnectionRecord& c);

// One row (LF included).
std::string ZeekConnRow(const ConnectionRecord& c);

// The header lines (#open from the first packet's time) and the #close
// line, for writers that stream the rows in between.
std::string ZeekConnLogHeader(const CaptureSummary& summary);
std::string ZeekConnLogFooter(const CaptureSummary& summary);

void WriteZeekConnLog(const AnalysisResult& result, std::ostream& os);

}  // namespace tcpstate
