#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"

namespace tcpstate {

// `--format mermaid --connection ID`: one connection's ladder as a Mermaid
// sequenceDiagram. Pure; byte-identical for equal input.

// Text made safe for any Mermaid position we write text in (titles,
// participant labels, message and note text): ASCII letters, digits, space
// and . : , / = ( ) [ ] _ - + ? ! @ are kept; every other code point,
// including # ; < > & " ' % and controls, becomes a Mermaid entity code
// "#NNN;" (decimal), invalid UTF-8 becoming U+FFFD first.
std::string MermaidText(absl::string_view s);

// Flag names as Wireshark writes them ("SYN, ACK"), "none" for none.
std::string LadderFlagNames(uint8_t flags);

// The diagram of `c` (a record of `result`, with its ladder). A record
// without a ladder gives a diagram with the participants and a note.
std::string RenderMermaid(const AnalysisResult& result,
                          const ConnectionRecord& c);

}  // namespace tcpstate
