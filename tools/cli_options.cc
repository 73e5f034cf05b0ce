#include "tools/cli_options.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace tcpstate {
namespace {

using G = OptionGroup;

constexpr OptionSpec kOptions[] = {
    // Input.
    {"read", "r", "FILE", G::kInput,
     "Read packets from FILE (pcap or pcapng, also gzip, zstd or xz "
     "compressed); repeat to read several files as one capture, in order. "
     "'-' reads standard input."},
    {"filter_file", "F", "FILE", G::kInput,
     "Read the capture filter (a tcpdump-style BPF expression) from FILE, "
     "like tcpdump -F; then give none on the command line."},
    {"count", "c", "N", G::kInput,
     "Stop after N packets (those the filter keeps, as tcpdump -c counts "
     "them), reading files or live (0 = no limit)."},
    {"", "n", "", G::kInput,
     "Accepted for tcpdump's habit (-n, -nn, -nr FILE): tcpstate never "
     "resolves names."},
    // Report.
    {"format", "", "text|json|jsonl|csv|zeek|mermaid|html", G::kReport,
     "Report format: text (summary, anomalies, then a bounded connection "
     "table), json (one document), jsonl (one line per connection as it "
     "finishes, then a summary line), csv (one row per connection), zeek (a "
     "Zeek conn.log), mermaid (one connection's ladder diagram; needs "
     "--connection) or html (one self-contained page: summary, hosts, "
     "connection table, timeline, charts, ladder diagrams)."},
    {"output", "o", "FILE", G::kReport,
     "Write the report to FILE instead of standard output."},
    {"rows", "", "N|all", G::kReport,
     "Text: at most N connections in the table, flagged ones first (then a "
     "line says how many more); 'all' for every one. Not given, the table "
     "also stops at about 120 lines."},
    {"summary", "q", "", G::kReport,
     "Text: the summary and the anomalies only (no connection table, no "
     "hosts)."},
    {"connection", "", "ID", G::kReport,
     "The connection (its id in the other reports) --format mermaid "
     "draws."},
    {"diagrams", "", "N", G::kReport,
     "html: ladder diagrams for every flagged connection and the first N "
     "others."},
    {"quiet", "", "", G::kReport,
     "No progress line on standard error (it is shown only when standard "
     "error is a terminal)."},
    // Analysis.
    {"time_wait", "", "DURATION", G::kAnalysis,
     "How long an endpoint stays in TIME_WAIT, in capture time (e.g. 60s, "
     "2m, 500ms; a bare number is seconds)."},
    {"stuck_after", "", "[KIND=]DURATION", G::kAnalysis,
     "How long an endpoint may sit in CLOSE_WAIT, FIN_WAIT_2, "
     "FIN_WAIT_1/CLOSING or LAST_ACK before it is flagged as stuck (Linux "
     "tcp_fin_timeout). DURATION sets every stuck kind; KIND=DURATION "
     "overrides one (close_wait_stuck, fin_wait_2_stuck, fin_wait_1_stuck, "
     "last_ack_stuck); repeatable. A FIN retransmitted 3 times makes "
     "FIN_WAIT_1/LAST_ACK stuck sooner."},
    {"syn_flood_min", "", "N", G::kAnalysis,
     "syn_flood: at least N half-open handshakes to one host within the "
     "window."},
    {"syn_flood_sources", "", "N", G::kAnalysis,
     "syn_flood: from at least N distinct source addresses."},
    {"syn_flood_window", "", "DURATION", G::kAnalysis,
     "syn_flood: the window those handshakes must fall in."},
    {"max_connections", "", "N", G::kAnalysis,
     "Flow table cap: at most N connections tracked at once; when full, a "
     "batch is evicted (written out with end reason \"evicted\"), "
     "incomplete handshakes first, oldest first."},
    {"max_memory", "", "MIB", G::kAnalysis,
     "Flow table memory cap in MiB (estimated per connection); the smaller "
     "of this and --max-connections applies."},
    // IP reassembly.
    {"no_reassembly", "", "", G::kReassembly,
     "Do not reassemble IP fragments: a first fragment is analysed as a "
     "segment holding only its share of the data, the other fragments are "
     "skipped."},
    {"reassembly_timeout", "", "DURATION", G::kReassembly,
     "A datagram still missing fragments this long (capture time) after its "
     "first-seen fragment is dropped (Linux ipfrag_time)."},
    {"reassembly_max_datagrams", "", "N", G::kReassembly,
     "At most N datagrams pending at once; when full, the oldest is "
     "dropped."},
    {"reassembly_memory", "", "KIB", G::kReassembly,
     "At most KIB KiB of fragment data pending (Linux ipfrag_high_thresh); "
     "when full, the oldest datagrams are dropped. At least 64 (one largest "
     "datagram)."},
    // CI.
    {"fail_on", "", "KIND[,KIND...]|severity>=LEVEL", G::kCi,
     "Exit 1 when an anomaly of one of these kinds is found (see "
     "--list-anomalies), or of at least this severity (severity>=info, "
     "warning or error; quote it for the shell). Repeatable."},
    {"fail_on_severity", "", "LEVEL", G::kCi,
     "Exit 1 when an anomaly of at least this severity (info, warning or "
     "error) is found: --fail-on 'severity>=LEVEL' with nothing for the "
     "shell to take as a redirection."},
    {"expect", "", "FILE", G::kCi,
     "Check the expectations in FILE (docs/ci.md); exit 1 when one fails, 2 "
     "on a syntax error."},
    {"junit", "", "FILE", G::kCi,
     "Write a JUnit XML report of the checks to FILE (one test case per "
     "expectation, else per connection)."},
    {"baseline", "", "FILE", G::kCi,
     "Fail only on what is new compared with FILE (a --write-baseline file "
     "or a --format json report): a new state pair, a new anomaly kind, or "
     "more of a kind than before."},
    {"write_baseline", "", "FILE", G::kCi,
     "Write this capture's baseline (state pairs and anomaly counts) to "
     "FILE."},
    // Live capture.
    {"interface", "i", "IFACE", G::kLive,
     "Capture live on interface IFACE ('any' for all) instead of reading "
     "files (docs/live.md). Needs root or CAP_NET_RAW."},
    {"snaplen", "s", "SNAPLEN", G::kLive,
     "Bytes kept of each packet (0 = 262144). TCP states need only the "
     "headers: 128 is enough unless -w should keep payloads."},
    {"buffer_size", "B", "KIB", G::kLive,
     "The kernel capture buffer in KiB, like tcpdump -B (0 = libpcap's "
     "default, 2 MiB)."},
    {"duration", "", "DURATION", G::kLive,
     "Stop after DURATION (e.g. 30s, 10m, 24h)."},
    {"write", "w", "FILE", G::kLive,
     "Also save every captured packet to FILE (pcap), like tcpdump -w."},
    {"user", "Z", "USER", G::kLive,
     "After opening the interface (and -w/-o files), switch to USER "
     "(groups, gid, uid) and drop every capability, like tcpdump -Z."},
    {"no_promiscuous_mode", "p", "", G::kLive,
     "Do not put the interface into promiscuous mode."},
    {"no_immediate_mode", "", "", G::kLive,
     "Let the kernel batch packets (less CPU; events may come up to 0.1 s "
     "late). Immediate mode is on by default."},
    {"events", "", "", G::kLive,
     "JSONL output: also a {\"type\":\"state\"} line for every endpoint "
     "state change."},
    // Scale.
    {"threads", "j", "N|auto", G::kScale,
     "Analyse in N shards of the flows (by a hash of the flow): the reading "
     "thread decodes and analyses shard 0, N-1 threads the others, and a "
     "merger writes the records in a single table's order; the output is "
     "byte-identical to --threads 1 unless a shard's share of the table "
     "fills (docs/scaling.md). auto: the online cores, at most 16. Live "
     "(-i): N capture sockets in one PACKET_FANOUT group, a worker each. "
     "--format html and mermaid from standard input analyse on one "
     "thread."},
    {"shard", "", "K/N", G::kScale,
     "Analyse only shard K of N (0 <= K < N): the flows whose hash (the one "
     "--threads uses) modulo N is K. Every input is still read whole, so "
     "packet numbers stay global and connections that span rotated files "
     "stay whole. Writes a part (to -o FILE or standard output) for "
     "'tcpstate merge PART...', whose report equals a single run's. "
     "Analysis options (thresholds, caps, filter) go here; report and CI "
     "options go to the merge."},
    // Information.
    {"list_anomalies", "", "", G::kInfo,
     "Print the anomaly catalogue (id, severity, category, definition) as a "
     "Markdown table and exit."},
    {"help", "h", "", G::kInfo, "Show this help and exit."},
    {"version", "", "", G::kInfo, "Print the version and exit."},
};

constexpr OptionGroup kGroups[] = {G::kInput, G::kReport, G::kAnalysis,
                                   G::kReassembly, G::kCi, G::kLive,
                                   G::kScale, G::kInfo};

constexpr absl::string_view kSynopsis[] = {
    "tcpstate -r FILE [-r FILE]... [options] [FILTER...]",
    "tcpstate -i IFACE [options] [FILTER...]",
    "tcpstate --shard K/N -r FILE... -o PART [analysis options] [FILTER...]",
    "tcpstate merge PART... [report and CI options]",
    "tcpstate --list-anomalies | --help | --version",
};

constexpr std::pair<int, absl::string_view> kExitStatuses[] = {
    {0, "Success, and every CI check passed."},
    {1,
     "A CI check failed (--fail-on, --fail-on-severity, --expect, "
     "--baseline); why goes to standard error."},
    {2,
     "Usage error; bad expectations or baseline file; unreadable or damaged "
     "input (for damaged input the report of everything before the damage "
     "is still written, then the error goes to standard error); parts that "
     "cannot be merged."},
};

}  // namespace

absl::Span<const OptionSpec> Options() { return kOptions; }

const OptionSpec* FindOption(absl::string_view name) {
  const std::string canonical = absl::StrReplaceAll(name, {{"-", "_"}});
  for (const OptionSpec& spec : kOptions) {
    if ((!spec.name.empty() && canonical == spec.name) ||
        (!spec.short_name.empty() && canonical == spec.short_name)) {
      return &spec;
    }
  }
  return nullptr;
}

absl::string_view CanonicalName(const OptionSpec& spec) {
  return spec.name.empty() ? spec.short_name : spec.name;
}

std::string OptionNames(const OptionSpec& spec) {
  const std::string long_name =
      absl::StrReplaceAll(spec.name, {{"_", "-"}});
  if (spec.name.empty()) {
    return absl::StrCat("-", spec.short_name);
  }
  if (spec.short_name.empty()) {
    return absl::StrCat("--", long_name);
  }
  return absl::StrCat("-", spec.short_name, ", --", long_name);
}

absl::string_view GroupTitle(OptionGroup group) {
  switch (group) {
    case OptionGroup::kInput:
      return "Input";
    case OptionGroup::kReport:
      return "Report";
    case OptionGroup::kAnalysis:
      return "Analysis";
    case OptionGroup::kReassembly:
      return "IP fragment reassembly";
    case OptionGroup::kCi:
      return "CI checks";
    case OptionGroup::kLive:
      return "Live capture (with -i)";
    case OptionGroup::kScale:
      return "Cores and machines";
    case OptionGroup::kInfo:
      return "Information";
  }
  return "";
}

absl::Span<const OptionGroup> Groups() { return kGroups; }

absl::Span<const absl::string_view> SynopsisLines() { return kSynopsis; }

absl::string_view Description() {
  return "Rebuilds both endpoints' TCP state machines (RFC 9293) from a "
         "capture and reports each connection's final states, how it got "
         "there, how sure that is, and anomalies. FILTER is a tcpdump-style "
         "BPF expression (the remaining arguments, joined by spaces). A "
         "capture too large for one machine is analysed in N --shard runs "
         "(anywhere, in any order) whose parts 'tcpstate merge' turns into "
         "the report a single run gives.";
}

absl::Span<const std::pair<int, absl::string_view>> ExitStatuses() {
  return kExitStatuses;
}

}  // namespace tcpstate
