#include "tools/ci/ci_check.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "analyzer/tcp_state.h"
#include "reports/format.h"

namespace tcpstate {
namespace {

constexpr size_t kMaxDetailLines = 10;

std::string PacketList(const Anomaly& a) {
  if (!a.packets.empty()) {
    return absl::StrJoin(a.packets, ",");
  }
  if (a.first_packet == a.last_packet) {
    return absl::StrCat(a.first_packet);
  }
  return absl::StrCat(a.first_packet, "-", a.last_packet);
}

CheckResult ConnectionCheck(const ConnectionRecord& c,
                            const FailOnSpec& spec) {
  CheckResult check;
  check.name = absl::StrCat("connection ", DescribeConnection(c));
  check.classname = "tcpstate.fail_on";
  std::vector<std::string> kinds;
  for (const Anomaly& a : c.anomalies) {
    if (!spec.Matches(a)) {
      continue;
    }
    check.details.push_back(DescribeAnomaly(a));
    if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) {
      kinds.push_back(a.kind);
    }
  }
  if (!kinds.empty()) {
    check.failed = true;
    check.type = kinds.front();
    check.message = absl::StrCat(absl::StrJoin(kinds, ", "), "; ",
                                 DescribeStates(c));
  }
  return check;
}

CheckResult HostCheck(const HostRecord& host, const FailOnSpec& spec) {
  CheckResult check;
  check.name = absl::StrCat("host ", host.addr.ToString());
  check.classname = "tcpstate.fail_on";
  for (const Anomaly& a : host.anomalies) {
    if (spec.Matches(a)) {
      check.details.push_back(DescribeAnomaly(a));
      if (!check.failed) {
        check.failed = true;
        check.type = a.kind;
        check.message = absl::StrCat(a.kind, " on host ", host.addr.ToString(),
                                     ", packets ", PacketList(a));
      }
    }
  }
  return check;
}

// GitHub's escaping of workflow command data and property values.
std::string EscapeAnnotation(absl::string_view s, bool property) {
  std::string out = absl::StrReplaceAll(
      s, {{"%", "%25"}, {"\r", "%0D"}, {"\n", "%0A"}});
  if (property) {
    out = absl::StrReplaceAll(out, {{":", "%3A"}, {",", "%2C"}});
  }
  return out;
}

}  // namespace

bool AnyFailed(const std::vector<CheckResult>& checks) {
  return std::any_of(checks.begin(), checks.end(),
                     [](const CheckResult& c) { return c.failed; });
}

bool FailOnSpec::Matches(const Anomaly& anomaly) const {
  if (min_severity && anomaly.severity >= *min_severity) {
    return true;
  }
  return std::find(kinds.begin(), kinds.end(), anomaly.kind) != kinds.end();
}

std::vector<CheckResult> CheckFailOn(const AnalysisResult& result,
                                     const FailOnSpec& spec) {
  std::vector<CheckResult> checks;
  for (const ConnectionRecord& c : result.connections) {
    checks.push_back(ConnectionCheck(c, spec));
  }
  for (const HostRecord& host : result.hosts) {
    if (!host.anomalies.empty()) {
      checks.push_back(HostCheck(host, spec));
    }
  }
  if (checks.empty()) {
    CheckResult empty;
    empty.name = "capture (no connections)";
    empty.classname = "tcpstate.fail_on";
    checks.push_back(empty);
  }
  return checks;
}

std::string DescribeConnection(const ConnectionRecord& c) {
  return absl::StrCat(FormatEndpoint(c.client.addr, c.client.port), " -> ",
                      FormatEndpoint(c.server.addr, c.server.port), " (id ",
                      c.id, ")");
}

std::string DescribeStates(const ConnectionRecord& c) {
  return absl::StrCat("client ", TcpStateName(c.client.state), ", server ",
                      TcpStateName(c.server.state), ", packets ",
                      c.first_packet, "-", c.last_packet);
}

std::string DescribeConnectionStates(const ConnectionRecord& c) {
  return absl::StrCat(DescribeConnection(c), ": ", DescribeStates(c));
}

std::string DescribeAnomaly(const Anomaly& a) {
  const bool one = a.packets.size() == 1 ||
                  (a.packets.empty() && a.first_packet == a.last_packet);
  return absl::StrCat(a.kind, " (", a.endpoint, ") ",
                      one ? "packet " : "packets ", PacketList(a), ": ",
                      a.detail);
}

void AppendCapped(const std::vector<std::string>& lines, size_t limit,
                  std::vector<std::string>* out) {
  for (size_t i = 0; i < lines.size() && i < limit; ++i) {
    out->push_back(lines[i]);
  }
  if (lines.size() > limit) {
    out->push_back(absl::StrCat("... and ", lines.size() - limit, " more"));
  }
}

std::string FormatFailures(const std::vector<CheckResult>& checks) {
  std::string out;
  for (const CheckResult& check : checks) {
    if (!check.failed) {
      continue;
    }
    absl::StrAppend(&out, "FAIL ", check.name, ": ", check.message, "\n");
    std::vector<std::string> lines;
    AppendCapped(check.details, kMaxDetailLines, &lines);
    for (const std::string& line : lines) {
      absl::StrAppend(&out, "  ", line, "\n");
    }
  }
  return out;
}

std::string GithubAnnotations(const std::vector<CheckResult>& checks) {
  std::string out;
  for (const CheckResult& check : checks) {
    if (!check.failed) {
      continue;
    }
    std::string body = check.message;
    std::vector<std::string> lines;
    AppendCapped(check.details, kMaxDetailLines, &lines);
    for (const std::string& line : lines) {
      absl::StrAppend(&body, "\n", line);
    }
    absl::StrAppend(&out, "::error title=",
                    EscapeAnnotation(absl::StrCat("tcpstate: ", check.name),
                                     /*property=*/true),
                    "::", EscapeAnnotation(body, /*property=*/false), "\n");
  }
  return out;
}

}  // namespace tcpstate
