#include "tools/ci/ci_baseline.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analyzer/tcp_state.h"
#include "tools/ci/ci_json.h"
#include "reports/escape.h"

namespace tcpstate {
namespace {

constexpr size_t kMaxDetailLines = 10;

uint64_t Occurrences(const Anomaly& a) { return std::max<uint64_t>(a.count, 1); }

std::pair<std::string, std::string> PairOf(const ConnectionRecord& c) {
  return {TcpStateName(c.client.state), TcpStateName(c.server.state)};
}

const JsonValue* Member(const JsonValue& object, absl::string_view key,
                        JsonValue::Type type) {
  const JsonValue* v = object.Find(key);
  return v != nullptr && v->type == type ? v : nullptr;
}

uint64_t CountOf(const JsonValue& object) {
  const JsonValue* count = Member(object, "count", JsonValue::Type::kNumber);
  if (count == nullptr || count->number < 1) {
    return 1;
  }
  return static_cast<uint64_t>(count->number);
}

absl::Status ReadStatePairs(const JsonValue& pairs, Baseline* out) {
  for (const JsonValue& pair : pairs.items) {
    const JsonValue* client = Member(pair, "client", JsonValue::Type::kString);
    const JsonValue* server = Member(pair, "server", JsonValue::Type::kString);
    if (client == nullptr || server == nullptr) {
      return absl::InvalidArgumentError(
          "a state pair lacks \"client\" or \"server\"");
    }
    out->state_pairs[{client->string, server->string}] += CountOf(pair);
  }
  return absl::OkStatus();
}

absl::Status ReadAnomalies(const JsonValue& anomalies, Baseline* out) {
  for (const JsonValue& a : anomalies.items) {
    const JsonValue* kind = Member(a, "kind", JsonValue::Type::kString);
    if (kind == nullptr) {
      return absl::InvalidArgumentError("an anomaly lacks \"kind\"");
    }
    out->kinds[kind->string] += CountOf(a);
  }
  return absl::OkStatus();
}

// A full --format json result.
absl::Status ReadResult(const JsonValue& doc, Baseline* out) {
  const JsonValue* summary = Member(doc, "summary", JsonValue::Type::kObject);
  const JsonValue* pairs =
      summary == nullptr
          ? nullptr
          : Member(*summary, "state_pairs", JsonValue::Type::kArray);
  const JsonValue* connections =
      Member(doc, "connections", JsonValue::Type::kArray);
  if (pairs == nullptr || connections == nullptr) {
    return absl::InvalidArgumentError(
        "neither a tcpstate baseline nor a tcpstate --format json result "
        "(no summary.state_pairs or connections)");
  }
  absl::Status status = ReadStatePairs(*pairs, out);
  for (const JsonValue& c : connections->items) {
    const JsonValue* anomalies =
        Member(c, "anomalies", JsonValue::Type::kArray);
    if (status.ok() && anomalies != nullptr) {
      status = ReadAnomalies(*anomalies, out);
    }
  }
  const JsonValue* hosts = Member(doc, "anomalies", JsonValue::Type::kArray);
  if (status.ok() && hosts != nullptr) {
    status = ReadAnomalies(*hosts, out);
  }
  return status;
}

CheckResult NewCheck(std::string name) {
  CheckResult check;
  check.name = std::move(name);
  check.classname = "tcpstate.baseline";
  return check;
}

void Judge(uint64_t now, const std::map<std::string, uint64_t>& before,
           const std::string& key, absl::string_view what,
           CheckResult* check) {
  const auto it = before.find(key);
  const uint64_t was = it == before.end() ? 0 : it->second;
  if (now <= was) {
    return;
  }
  check->failed = true;
  check->message =
      was == 0 ? absl::StrCat("new ", what, " (", now, "; not in the baseline)")
               : absl::StrCat(what, ": ", now, ", above the baseline's ", was);
}

}  // namespace

Baseline BaselineOf(const AnalysisResult& result) {
  Baseline b;
  for (const ConnectionRecord& c : result.connections) {
    ++b.state_pairs[PairOf(c)];
    for (const Anomaly& a : c.anomalies) {
      b.kinds[a.kind] += Occurrences(a);
    }
  }
  for (const Anomaly& a : result.anomalies) {
    b.kinds[a.kind] += Occurrences(a);
  }
  return b;
}

std::string RenderBaseline(const Baseline& baseline) {
  std::string out = "{\n  \"tcpstate_baseline\": 1,\n  \"state_pairs\": [";
  const char* sep = "\n    ";
  for (const auto& [pair, count] : baseline.state_pairs) {
    absl::StrAppend(&out, sep, "{\"client\": ");
    AppendJsonString(pair.first, &out);
    absl::StrAppend(&out, ", \"server\": ");
    AppendJsonString(pair.second, &out);
    absl::StrAppend(&out, ", \"count\": ", count, "}");
    sep = ",\n    ";
  }
  absl::StrAppend(&out, baseline.state_pairs.empty() ? "" : "\n  ",
                  "],\n  \"anomalies\": [");
  sep = "\n    ";
  for (const auto& [kind, count] : baseline.kinds) {
    absl::StrAppend(&out, sep, "{\"kind\": ");
    AppendJsonString(kind, &out);
    absl::StrAppend(&out, ", \"count\": ", count, "}");
    sep = ",\n    ";
  }
  absl::StrAppend(&out, baseline.kinds.empty() ? "" : "\n  ", "]\n}\n");
  return out;
}

absl::StatusOr<Baseline> ParseBaseline(absl::string_view json) {
  absl::StatusOr<JsonValue> doc = ParseJson(json);
  if (!doc.ok()) {
    return doc.status();
  }
  Baseline b;
  absl::Status status;
  if (doc->Find("tcpstate_baseline") == nullptr) {
    status = ReadResult(*doc, &b);
  } else {
    const JsonValue* pairs =
        Member(*doc, "state_pairs", JsonValue::Type::kArray);
    const JsonValue* kinds = Member(*doc, "anomalies", JsonValue::Type::kArray);
    status = pairs == nullptr || kinds == nullptr
                 ? absl::InvalidArgumentError(
                       "baseline lacks \"state_pairs\" or \"anomalies\"")
                 : ReadStatePairs(*pairs, &b);
    if (status.ok()) {
      status = ReadAnomalies(*kinds, &b);
    }
  }
  if (!status.ok()) {
    return status;
  }
  return b;
}

std::vector<CheckResult> CompareWithBaseline(const AnalysisResult& result,
                                             const Baseline& baseline) {
  const Baseline now = BaselineOf(result);
  std::map<std::string, uint64_t> before_pairs;
  for (const auto& [pair, count] : baseline.state_pairs) {
    before_pairs[absl::StrCat(pair.first, "/", pair.second)] = count;
  }
  std::vector<CheckResult> checks;
  for (const auto& [pair, count] : now.state_pairs) {
    const std::string key = absl::StrCat(pair.first, "/", pair.second);
    CheckResult check = NewCheck(absl::StrCat("state pair ", key));
    Judge(count, before_pairs, key, absl::StrCat("state pair ", key), &check);
    std::vector<std::string> lines;
    for (const ConnectionRecord& c : result.connections) {
      if (check.failed && PairOf(c) == pair) {
        lines.push_back(DescribeConnectionStates(c));
      }
    }
    check.type = check.failed ? "state_pair" : "";
    AppendCapped(lines, kMaxDetailLines, &check.details);
    checks.push_back(std::move(check));
  }
  for (const auto& [kind, count] : now.kinds) {
    CheckResult check = NewCheck(absl::StrCat("anomaly ", kind));
    Judge(count, baseline.kinds, kind, kind, &check);
    std::vector<std::string> lines;
    for (const ConnectionRecord& c : result.connections) {
      for (const Anomaly& a : c.anomalies) {
        if (check.failed && a.kind == kind) {
          lines.push_back(
              absl::StrCat(DescribeConnection(c), ": ", DescribeAnomaly(a)));
        }
      }
    }
    for (const Anomaly& a : result.anomalies) {
      if (check.failed && a.kind == kind) {
        lines.push_back(absl::StrCat("host ", DescribeAnomaly(a)));
      }
    }
    check.type = check.failed ? kind : "";
    AppendCapped(lines, kMaxDetailLines, &check.details);
    checks.push_back(std::move(check));
  }
  if (checks.empty()) {
    checks.push_back(NewCheck("capture (no connections)"));
  }
  return checks;
}

}  // namespace tcpstate
