#include "tools/doc_gen.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "analyzer/anomaly_catalogue.h"
#include "tools/cli_options.h"

namespace tcpstate {
namespace {

// Prose of the man page beyond the option table, as (section, roff body)
// pairs; bodies are already roff.
constexpr const char* kFormats =
    ".TP\n.B text\nThe summary first (capture, counts, state pairs, "
    "anomalies by severity with examples), then a bounded connection table "
    "(flagged connections first; \\fB\\-\\-rows\\fR), then hosts with a "
    "finding.\n"
    ".TP\n.B json\nOne document: inputs, summary, connections (both "
    "endpoints' states with certainty and the other possible states, "
    "timelines, anomalies, round trips), hosts, host anomalies.\n"
    ".TP\n.B jsonl\nOne line per connection as it finishes, then a summary "
    "line; live with \\fB\\-\\-events\\fR also state changes.\n"
    ".TP\n.B csv\nOne row per connection.\n"
    ".TP\n.B zeek\nA Zeek conn.log (TSV) with tcpstate's columns "
    "appended.\n"
    ".TP\n.B mermaid\nOne connection's ladder diagram "
    "(\\fB\\-\\-connection\\fR).\n"
    ".TP\n.B html\nOne self-contained page: summary, hosts, connection "
    "table, timeline, charts, ladder diagrams.\n";

constexpr const char* kCertainty =
    "A capture is taken somewhere on the path, so a segment seen is not a "
    "segment received. Each endpoint's final state is reported as "
    "\\fBconfirmed\\fR only when the capture proves it; otherwise it is "
    "\\fBinferred\\fR and the other possible states are named.\n";

constexpr const char* kExamples =
    "Find stuck CLOSE_WAIT and other anomalies in a capture:\n"
    ".PP\n.RS\n.nf\ntcpstate \\-r trace.pcap\n.fi\n.RE\n.PP\n"
    "Fail a CI job when a sample capture shows a leak or an abort:\n"
    ".PP\n.RS\n.nf\ntcpstate \\-r sample.pcap \\-\\-fail\\-on "
    "close_wait_stuck,rst_teardown \\-\\-junit checks.xml\n.fi\n.RE\n.PP\n"
    "Watch an interface live, only port 443:\n"
    ".PP\n.RS\n.nf\ntcpstate \\-i eth0 port 443\n.fi\n.RE\n.PP\n"
    "A report to share:\n"
    ".PP\n.RS\n.nf\ntcpstate \\-r trace.pcap \\-\\-format html \\-o "
    "report.html\n.fi\n.RE\n.PP\n"
    "Four machines, one report:\n"
    ".PP\n.RS\n.nf\ntcpstate \\-\\-shard 0/4 \\-r big.pcap \\-o 0.part   "
    "# ... 1/4, 2/4, 3/4 elsewhere\ntcpstate merge 0.part 1.part 2.part "
    "3.part\n.fi\n.RE\n";

// Whether text[i] starts a word (after a space or an opening mark).
bool WordStart(absl::string_view text, size_t i) {
  return i == 0 ||
         absl::string_view(" \n([|/,'\"=").find(text[i - 1]) !=
             absl::string_view::npos;
}

std::string Bold(absl::string_view text) {
  return absl::StrCat("\\fB", RoffEscape(text), "\\fR");
}

std::string Italic(absl::string_view text) {
  return absl::StrCat("\\fI", RoffEscape(text), "\\fR");
}

// "\fB\-r\fR, \fB\-\-read\fR \fIFILE\fR".
std::string RoffOptionHead(const OptionSpec& spec) {
  std::vector<std::string> names;
  for (absl::string_view name :
       absl::StrSplit(OptionNames(spec), ", ", absl::SkipEmpty())) {
    names.push_back(Bold(name));
  }
  std::string head = absl::StrJoin(names, ", ");
  if (!spec.metavar.empty()) {
    absl::StrAppend(&head, " ", Italic(spec.metavar));
  }
  return head;
}

std::string ManOptions() {
  std::string out = ".SH OPTIONS\n";
  for (OptionGroup group : Groups()) {
    absl::StrAppend(&out, ".SS ", RoffEscape(GroupTitle(group)), "\n");
    for (const OptionSpec& spec : Options()) {
      if (spec.group == group) {
        absl::StrAppend(&out, ".TP\n", RoffOptionHead(spec), "\n",
                        RoffEscape(OptionHelp(spec)), "\n");
      }
    }
  }
  return out;
}

// A Markdown table cell: '|' would end it, and a code span keeps text
// literal.
std::string Cell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}});
}

// "`-r FILE`, `--read FILE`" (each spelling with its value).
std::string MarkdownOptionHead(const OptionSpec& spec) {
  std::vector<std::string> names;
  for (absl::string_view name :
       absl::StrSplit(OptionNames(spec), ", ", absl::SkipEmpty())) {
    names.push_back(absl::StrCat(
        "`", Cell(absl::StrCat(name, spec.metavar.empty() ? "" : " ",
                               spec.metavar)),
        "`"));
  }
  return absl::StrJoin(names, ", ");
}

// Every spelling of every option, for completion.
std::vector<std::string> AllSpellings() {
  std::vector<std::string> out;
  for (const OptionSpec& spec : Options()) {
    for (absl::string_view name :
         absl::StrSplit(OptionNames(spec), ", ", absl::SkipEmpty())) {
      out.emplace_back(name);
    }
  }
  return out;
}

// The spellings of every option that takes a value.
std::vector<std::string> ValueSpellings() {
  std::vector<std::string> out;
  for (const OptionSpec& spec : Options()) {
    if (!spec.metavar.empty()) {
      for (absl::string_view name :
           absl::StrSplit(OptionNames(spec), ", ", absl::SkipEmpty())) {
        out.emplace_back(name);
      }
    }
  }
  return out;
}

// The spellings of the value options whose metavar is `metavar`.
std::vector<std::string> SpellingsTaking(absl::string_view metavar) {
  std::vector<std::string> out;
  for (const OptionSpec& spec : Options()) {
    if (spec.metavar == metavar) {
      for (absl::string_view name :
           absl::StrSplit(OptionNames(spec), ", ", absl::SkipEmpty())) {
        out.emplace_back(name);
      }
    }
  }
  return out;
}

}  // namespace

std::string RoffEscape(absl::string_view text) {
  std::string out;
  bool option_word = false;  // in a word that starts with '-': --time-wait
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (WordStart(text, i)) {
      option_word = c == '-';
    }
    if (c == '\\') {
      out.append("\\e");
    } else if (c == '-' && option_word) {
      out.append("\\-");  // a minus: searchable, copyable options
    } else if ((c == '.' || c == '\'') && (i == 0 || text[i - 1] == '\n')) {
      absl::StrAppend(&out, "\\&", std::string(1, c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string ManPage(absl::string_view version, absl::string_view date) {
  std::string out = absl::StrCat(
      ".\\\" Generated by tcpstate-docs (tools/doc_gen.cc) from the option "
      "table: do not edit.\n",
      ".TH TCPSTATE 1 \"", date, "\" \"tcpstate ", version,
      "\" \"User Commands\"\n", ".SH NAME\n",
      "tcpstate \\- rebuild both endpoints' TCP states from a packet "
      "capture\n",
      ".SH SYNOPSIS\n.nf\n");
  for (absl::string_view line : SynopsisLines()) {
    absl::StrAppend(&out, RoffEscape(line), "\n");
  }
  absl::StrAppend(&out, ".fi\n.SH DESCRIPTION\n", RoffEscape(Description()),
                  "\n.PP\n", kCertainty, ManOptions(), ".SH FORMATS\n",
                  kFormats, ".SH ANOMALIES\n",
                  "Each anomaly has a stable id (\\fB\\-\\-fail\\-on\\fR "
                  "takes them) and a severity:\n");
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    absl::StrAppend(&out, ".TP\n", Bold(info.id), " (",
                    SeverityName(info.severity), ")\n",
                    RoffEscape(info.definition), "\n");
  }
  out.append(".SH EXIT STATUS\n");
  for (const auto& [code, meaning] : ExitStatuses()) {
    absl::StrAppend(&out, ".TP\n.B ", code, "\n", RoffEscape(meaning), "\n");
  }
  absl::StrAppend(
      &out, ".SH ENVIRONMENT\n.TP\n.B NO_COLOR\n",
      "When set (to anything), the text report and the live view use no "
      "colour.\n",
      ".SH EXAMPLES\n", kExamples, ".SH FILES\n",
      "The documentation (docs/cli.md, formats.md, anomalies.md, ci.md, "
      "live.md, scaling.md, accuracy.md, performance.md) is installed in "
      "/usr/share/doc/tcpstate.\n",
      ".SH SEE ALSO\n",
      ".BR tcpdump (8),\n.BR tshark (1),\n.BR pcap\\-filter (7),\n"
      ".BR ss (8)\n");
  return out;
}

std::string BashCompletion() {
  std::vector<std::string> kinds;
  for (const AnomalyInfo& info : AnomalyCatalogue()) {
    kinds.emplace_back(info.id);
  }
  std::vector<std::string> files;
  for (absl::string_view m : {"FILE", "PART"}) {
    for (std::string& s : SpellingsTaking(m)) {
      files.push_back(std::move(s));
    }
  }
  return absl::StrCat(
      "# bash completion for tcpstate. Generated by tcpstate-docs "
      "(tools/doc_gen.cc) from the option table: do not edit.\n"
      "_tcpstate() {\n"
      "  local cur prev\n"
      "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
      "  prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  case \"$prev\" in\n"
      "    ", absl::StrJoin(files, "|"), ")\n"
      "      COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
      "    --format)\n"
      "      COMPREPLY=($(compgen -W \"text json jsonl csv zeek mermaid "
      "html\" -- \"$cur\")); return ;;\n"
      "    --fail-on)\n"
      "      COMPREPLY=($(compgen -W \"", absl::StrJoin(kinds, " "),
      " severity>=info severity>=warning severity>=error\" -- \"$cur\")); "
      "return ;;\n"
      "    --fail-on-severity)\n"
      "      COMPREPLY=($(compgen -W \"info warning error\" -- \"$cur\")); "
      "return ;;\n"
      "    -i|--interface)\n"
      "      COMPREPLY=($(compgen -W \"any $(ls /sys/class/net 2>/dev/null)\" "
      "-- \"$cur\")); return ;;\n"
      "    -Z|--user)\n"
      "      COMPREPLY=($(compgen -u -- \"$cur\")); return ;;\n"
      "    ", absl::StrJoin(ValueSpellings(), "|"), ")\n"
      "      return ;;  # a value with nothing to offer\n"
      "  esac\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"", absl::StrJoin(AllSpellings(), " "),
      "\" -- \"$cur\"))\n"
      "  elif [[ $COMP_CWORD -eq 1 ]]; then\n"
      "    COMPREPLY=($(compgen -W \"merge\" -- \"$cur\"))\n"
      "  elif [[ \"${COMP_WORDS[1]}\" == merge ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -o default -F _tcpstate tcpstate\n");
}

std::string CliMarkdown() {
  std::string out;
  for (OptionGroup group : Groups()) {
    absl::StrAppend(&out, "### ", GroupTitle(group), "\n\n",
                    "| option | default | meaning |\n|---|---|---|\n");
    for (const OptionSpec& spec : Options()) {
      if (spec.group != group) {
        continue;
      }
      const std::optional<std::string> def = OptionDefault(spec);
      absl::StrAppend(&out, "| ", MarkdownOptionHead(spec), " | ",
                      def ? absl::StrCat("`", Cell(*def), "`") : "", " | ",
                      Cell(spec.help), " |\n");
    }
    out.append("\n");
  }
  return out;
}

}  // namespace tcpstate
