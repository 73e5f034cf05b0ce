#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/anomaly_catalogue.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/text_paint.h"

// The text report's "Anomalies" section and the one-line form of an
// anomaly shared with the connection list.

namespace tcpstate {
namespace text_internal {

absl::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::kError:
      return kRed;
    case Severity::kWarning:
      return kYellow;
    case Severity::kInfo:
      return kCyan;
  }
  return "";
}

std::string AnomalyLine(const Anomaly& a, const Painter& paint) {
  std::vector<std::string> facts;
  if (!a.endpoint.empty()) {
    facts.push_back(TerminalSafe(a.endpoint));
  }
  if (a.count > 1) {
    facts.push_back(absl::StrCat(a.count, "×"));
  }
  if (!a.packets.empty()) {
    facts.push_back(absl::StrCat(a.packets.size() == 1 ? "pkt " : "pkts ",
                                 absl::StrJoin(a.packets, ",")));
  }
  if (a.duration > absl::ZeroDuration()) {
    facts.push_back(absl::StrCat("over ", FormatSeconds(a.duration), "s"));
  }
  std::string line =
      absl::StrCat(paint(absl::StrCat("! ", SeverityName(a.severity)),
                         SeverityColor(a.severity)),
                   " ", TerminalSafe(a.kind));
  if (!facts.empty()) {
    absl::StrAppend(&line, " (", absl::StrJoin(facts, "; "), ")");
  }
  if (!a.detail.empty()) {
    absl::StrAppend(&line, ": ", TerminalSafe(a.detail));
  }
  return line;
}

namespace {

// One anomaly record with where it came from.
struct AnomalyEntry {
  const Anomaly* anomaly = nullptr;
  const ConnectionRecord* connection = nullptr;  // null: host level
  size_t order = 0;  // position in the result, the last tie-break
};

// All the records of one kind.
struct AnomalyGroup {
  std::string kind;
  size_t rank = 0;  // catalogue position; unknown kinds after, by name
  Severity severity = Severity::kInfo;
  std::vector<AnomalyEntry> entries;
};

bool SameAnomaly(const Anomaly& a, const Anomaly& b) {
  return a.kind == b.kind && a.endpoint == b.endpoint &&
         a.first_packet == b.first_packet && a.t == b.t;
}

// Every anomaly in the result: per connection, then the host-level list,
// then any host record's anomaly not already in that list.
std::vector<AnomalyEntry> CollectAnomalies(const AnalysisResult& result) {
  std::vector<AnomalyEntry> entries;
  for (const ConnectionRecord& c : result.connections) {
    for (const Anomaly& a : c.anomalies) {
      entries.push_back({&a, &c, entries.size()});
    }
  }
  for (const Anomaly& a : result.anomalies) {
    entries.push_back({&a, nullptr, entries.size()});
  }
  for (const HostRecord& host : result.hosts) {
    for (const Anomaly& a : host.anomalies) {
      const bool listed =
          std::any_of(result.anomalies.begin(), result.anomalies.end(),
                      [&](const Anomaly& b) { return SameAnomaly(a, b); });
      if (!listed) {
        entries.push_back({&a, nullptr, entries.size()});
      }
    }
  }
  return entries;
}

// Groups by kind, worst severity first, then in catalogue order; each
// group's entries worst first:
// highest count, then longest duration, then lowest connection id.
std::vector<AnomalyGroup> GroupAnomalies(std::vector<AnomalyEntry> entries) {
  std::map<std::pair<size_t, std::string>, AnomalyGroup> by_kind;
  for (const AnomalyEntry& e : entries) {
    const std::optional<AnomalyKind> kind = AnomalyKindFromId(e.anomaly->kind);
    const size_t rank = kind ? static_cast<size_t>(*kind) : kNumAnomalyKinds;
    AnomalyGroup& g = by_kind[{rank, e.anomaly->kind}];
    if (g.entries.empty()) {
      g.kind = e.anomaly->kind;
      g.rank = rank;
      g.severity = kind ? InfoOf(*kind).severity : e.anomaly->severity;
    }
    g.severity = std::max(g.severity, e.anomaly->severity);
    g.entries.push_back(e);
  }
  std::vector<AnomalyGroup> groups;
  for (auto& [key, g] : by_kind) {
    std::sort(g.entries.begin(), g.entries.end(),
              [](const AnomalyEntry& x, const AnomalyEntry& y) {
                const Anomaly& a = *x.anomaly;
                const Anomaly& b = *y.anomaly;
                const uint64_t xid = x.connection ? x.connection->id : 0;
                const uint64_t yid = y.connection ? y.connection->id : 0;
                return std::make_tuple(b.count, b.duration, xid, a.endpoint,
                                       x.order) <
                       std::make_tuple(a.count, a.duration, yid, b.endpoint,
                                       y.order);
              });
    groups.push_back(std::move(g));
  }
  // The worst severity first; within one, catalogue order.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const AnomalyGroup& a, const AnomalyGroup& b) {
                     return a.severity > b.severity;
                   });
  return groups;
}

std::string Plural(size_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// "count 5, 3 connections" / "count 120, 1 host".
std::string GroupTotals(const AnomalyGroup& g) {
  uint64_t total = 0;
  std::set<uint64_t> connections;
  std::set<std::string> hosts;
  for (const AnomalyEntry& e : g.entries) {
    total += e.anomaly->count;
    if (e.connection != nullptr) {
      connections.insert(e.connection->id);
    } else {
      hosts.insert(e.anomaly->endpoint);
    }
  }
  std::vector<std::string> affected;
  if (!connections.empty()) {
    affected.push_back(Plural(connections.size(), "connection"));
  }
  if (!hosts.empty()) {
    affected.push_back(Plural(hosts.size(), "host"));
  }
  return absl::StrCat(total, " in all, in ", absl::StrJoin(affected, " and "));
}

// "server 198.18.0.2:8000  (conn 3)" or "host 198.18.0.9".
std::string Where(const AnomalyEntry& e) {
  const Anomaly& a = *e.anomaly;
  if (e.connection == nullptr) {
    return absl::StrCat("host ", TerminalSafe(a.endpoint));
  }
  const ConnectionRecord& c = *e.connection;
  std::string who =
      TerminalSafe(a.endpoint.empty() ? "connection" : a.endpoint);
  if (a.endpoint == "client") {
    absl::StrAppend(&who, " ", FormatEndpoint(c.client.addr, c.client.port));
  } else if (a.endpoint == "server") {
    absl::StrAppend(&who, " ", FormatEndpoint(c.server.addr, c.server.port));
  }
  return absl::StrCat(who, "  (conn ", c.id, ")");
}

constexpr size_t kWorstExamples = 3;

void AppendGroup(const AnomalyGroup& g, const Painter& paint,
                 std::string* out) {
  const std::string kind = TerminalSafe(g.kind);
  const std::string severity =
      paint(SeverityName(g.severity), SeverityColor(g.severity));
  absl::StrAppend(out, "  ", paint(kind, kBold), "  ", severity, "  ",
                  GroupTotals(g), "\n");
  const size_t shown = std::min(g.entries.size(), kWorstExamples);
  for (size_t i = 0; i < shown; ++i) {
    const AnomalyEntry& e = g.entries[i];
    absl::StrAppend(out, "    ", kind, "  ",
                    paint(SeverityName(e.anomaly->severity),
                          SeverityColor(e.anomaly->severity)),
                    "  ", Where(e));
    if (e.anomaly->count > 1) {
      absl::StrAppend(out, "  ", e.anomaly->count, "×");
    }
    out->push_back('\n');
    if (!e.anomaly->detail.empty()) {
      absl::StrAppend(out, "      ", TerminalSafe(e.anomaly->detail), "\n");
    }
  }
  if (g.entries.size() > shown) {
    // Entries are records (one per endpoint or host), not connections.
    absl::StrAppend(out, "    and ", g.entries.size() - shown, " more ",
                    g.entries.size() - shown == 1 ? "record" : "records",
                    " of this kind\n");
  }
}

// Anomalies grouped by kind, each with its totals and worst examples.

}  // namespace

void AppendAnomalies(const AnalysisResult& result, const Painter& paint,
                     std::string* out) {
  const std::vector<AnomalyGroup> groups =
      GroupAnomalies(CollectAnomalies(result));
  if (groups.empty() && result.connections.empty()) {
    return;
  }
  absl::StrAppend(out, "\n", paint("Anomalies", kBold), "\n");
  if (groups.empty()) {
    out->append("  none\n");
  }
  for (const AnomalyGroup& g : groups) {
    AppendGroup(g, paint, out);
  }
}

// "20 ISNs (3 same 4-tuple): fixed_increment, predictable, GCD 64000 ..."

}  // namespace text_internal
}  // namespace tcpstate
