#pragma once

// Documentation generated from the option table (tools/cli_options.h) and
// the anomaly catalogue, so that --help, the man page, the bash completion
// and docs/cli.md cannot disagree. Built into `tcpstate-docs`
// (tools/doc_gen_main.cc), which the build runs; not part of tcpstate.

#include <string>

#include "absl/strings/string_view.h"

namespace tcpstate {

// tcpstate(1) in man(7) roff. `version` and `date` (YYYY-MM-DD, may be
// empty) go into the title line.
std::string ManPage(absl::string_view version, absl::string_view date);

// A bash completion script for tcpstate (options, formats, anomaly kinds,
// files, interfaces, users).
std::string BashCompletion();

// The option reference of docs/cli.md: per group a Markdown table of the
// options, their defaults and their meaning.
std::string CliMarkdown();

// `text` for roff: backslashes escaped, option dashes as \-, and a line
// that would start with a control character made safe.
std::string RoffEscape(absl::string_view text);

}  // namespace tcpstate
