#include "tools/ci/junit.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reports/escape.h"

namespace tcpstate {
namespace {

// XML 1.0 section 2.2 Char production.
bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void AppendTestCase(const CheckResult& check, std::string* out) {
  absl::StrAppend(out, "    <testcase name=\"", XmlEscape(check.name),
                  "\" classname=\"", XmlEscape(check.classname),
                  "\" time=\"0\"");
  if (!check.failed) {
    absl::StrAppend(out, "/>\n");
    return;
  }
  absl::StrAppend(out, ">\n      <failure message=\"",
                  XmlEscape(check.message), "\" type=\"",
                  XmlEscape(check.type), "\">",
                  XmlEscape(absl::StrJoin(check.details, "\n"), false),
                  "</failure>\n    </testcase>\n");
}

}  // namespace

std::string XmlEscape(absl::string_view s, bool attribute) {
  std::string out;
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Step step = DecodeUtf8At(s, pos);
    pos += std::max<size_t>(step.length, 1);
    const uint32_t cp =
        step.valid && IsXmlChar(step.code_point) ? step.code_point
                                                 : kReplacementChar;
    switch (cp) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&apos;");
        break;
      case '\n':
      case '\t':
        if (attribute) {
          absl::StrAppend(&out, "&#", cp, ";");
        } else {
          AppendUtf8(cp, &out);
        }
        break;
      case '\r':
        absl::StrAppend(&out, "&#", cp, ";");
        break;
      default:
        AppendUtf8(cp, &out);
    }
  }
  return out;
}

std::string RenderJUnit(absl::string_view suite_name,
                        const std::vector<CheckResult>& checks) {
  const size_t failures =
      std::count_if(checks.begin(), checks.end(),
                    [](const CheckResult& c) { return c.failed; });
  const std::string counts =
      absl::StrCat("tests=\"", checks.size(), "\" failures=\"", failures,
                   "\" errors=\"0\"");
  std::string out = absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"",
      XmlEscape(suite_name), "\" ", counts, " time=\"0\">\n",
      "  <testsuite name=\"", XmlEscape(suite_name), "\" ", counts,
      " skipped=\"0\" time=\"0\">\n");
  for (const CheckResult& check : checks) {
    AppendTestCase(check, &out);
  }
  absl::StrAppend(&out, "  </testsuite>\n</testsuites>\n");
  return out;
}

}  // namespace tcpstate
