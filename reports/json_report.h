#pragma once

#include <ostream>
#include <string>

#include "analyzer/analysis_result.h"
#include "reports/format.h"
#include "reports/json_writer.h"

namespace tcpstate {

// JSON and JSON Lines renderings of an AnalysisResult. Pure functions of
// their arguments; keys in a fixed order, byte-identical for equal input.

// Writes the members of one connection object ("id" ... "anomalies") into
// an object the caller has opened. Shared by both formats.
void WriteConnectionMembers(const ConnectionRecord& record, JsonWriter* w);

// Writes the members of one anomaly object ("kind" ... "detail") into an
// object the caller has opened.
void WriteAnomalyMembers(const Anomaly& anomaly, JsonWriter* w);

// The whole result as one JSON document (2-space indent, final newline).
std::string RenderJson(const AnalysisResult& result);
// The same document written to `os` connection by connection, so the
// rendering never holds more than one connection's text.
void WriteJson(const AnalysisResult& result, std::ostream& os);

// One line: {"type":"connection", ...connection members...}\n
std::string RenderJsonlConnection(const ConnectionRecord& record);
// The same line appended to `out` (a buffer reused from row to row).
void AppendJsonlConnection(const ConnectionRecord& record, std::string* out);

// The closing line: {"type":"summary","tcpstate_version",...}\n. `tally`
// holds the state counts of every streamed connection (the result itself
// may not retain them).
std::string RenderJsonlSummary(const AnalysisResult& result,
                               const ConnectionTally& tally);

}  // namespace tcpstate
