#pragma once

// Internal to the text report: terminal colours and the sections that live
// in their own files.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly.h"

namespace tcpstate {
namespace text_internal {

constexpr absl::string_view kBold = "1";
constexpr absl::string_view kDim = "2";
constexpr absl::string_view kRed = "31";
constexpr absl::string_view kGreen = "32";
constexpr absl::string_view kYellow = "33";
constexpr absl::string_view kCyan = "36";

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string operator()(absl::string_view text, absl::string_view sgr) const {
    if (!color_ || sgr.empty() || text.empty()) {
      return std::string(text);
    }
    return absl::StrCat("\x1b[", sgr, "m", text, "\x1b[0m");
  }

 private:
  bool color_;
};

absl::string_view SeverityColor(Severity s);

// "! warning close_wait_stuck (server; pkts 9,12; over 61.000000s): ..."
std::string AnomalyLine(const Anomaly& a, const Painter& paint);

// The "Anomalies" section: every anomaly of the result grouped by kind, in
// catalogue order (text_anomalies.cc).
void AppendAnomalies(const AnalysisResult& result, const Painter& paint,
                     std::string* out);

}  // namespace text_internal
}  // namespace tcpstate
