#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/ci/ci_check.h"

namespace tcpstate {

// JUnit XML as Jenkins, GitLab and GitHub Actions test reporters read it
// (the Ant/Jenkins schema; tests/ci/junit.xsd is the subset written here):
//   <testsuites name tests failures errors time>
//     <testsuite name tests failures errors skipped time>
//       <testcase name classname time>
//         <failure message type>details</failure>
// One test case per check. Text is escaped for XML; characters XML 1.0
// cannot hold (control bytes, invalid UTF-8) become U+FFFD.
std::string RenderJUnit(absl::string_view suite_name,
                        const std::vector<CheckResult>& checks);

// `s` escaped for an XML attribute value (newlines and tabs as character
// references), or for a text node (they stay as they are).
std::string XmlEscape(absl::string_view s, bool attribute = true);

}  // namespace tcpstate
