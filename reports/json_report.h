#pragma once

#include <cstdint>
#include <functional>
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

// The depth of a connection object in the document ("connections" array
// of the top-level object).
inline constexpr int kJsonConnectionDepth = 2;
// One connection object exactly as the document holds it (its lines
// indented for kJsonConnectionDepth, without the separator before it):
// rendered when the connection finishes, so that the document's records
// need not be kept until the end.
void AppendJsonDocumentConnection(const ConnectionRecord& record,
                                  std::string* out);
// The connections of a document, in order: `text(i, out)` appends the
// i-th one (AppendJsonDocumentConnection) or returns false.
struct JsonConnections {
  uint64_t count = 0;
  std::function<bool(uint64_t index, std::string* out)> text;
};
// The document with its connections from `connections` (whatever
// result.connections holds is not written) and the state counts of
// `tally`. Returns false if a connection's text could not be had: the
// document written is then cut short (the caller reports the error).
bool WriteJson(const AnalysisResult& result, const ConnectionTally& tally,
               const JsonConnections& connections, std::ostream& os);

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
