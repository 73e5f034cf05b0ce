#include "tools/anomaly_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {
namespace {

// A table cell: a '|' would end the cell early.
std::string Cell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}});
}

}  // namespace

std::string AnomalyCatalogueMarkdown() {
  std::string out =
      "| id | severity | category | definition |\n"
      "|---|---|---|---|\n";
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    absl::StrAppend(&out, "| `", Cell(info.id), "` | ",
                    SeverityName(info.severity), " | ", Cell(info.category),
                    " | ", Cell(info.definition), " |\n");
  }
  return out;
}

}  // namespace tcpstate
