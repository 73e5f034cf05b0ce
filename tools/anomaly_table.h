#pragma once

#include <string>

namespace tcpstate {

// The anomaly catalogue as a Markdown table (columns id, severity,
// category, definition; one row per kind in catalogue order), exactly as
// `tcpstate --list-anomalies` prints it and docs/anomalies.md embeds it.
std::string AnomalyCatalogueMarkdown();

}  // namespace tcpstate
