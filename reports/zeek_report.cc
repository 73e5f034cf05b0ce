#include "reports/zeek_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "reports/format.h"

namespace tcpstate {
namespace {

constexpr absl::string_view kUnset = "-";
constexpr absl::string_view kEmpty = "(empty)";

// Zeek's conn.log columns (base/protocols/conn/main.zeek) and their types,
// then tcpstate's.
constexpr absl::string_view kFields[] = {
    "ts",          "uid",           "id.orig_h",  "id.orig_p",
    "id.resp_h",   "id.resp_p",     "proto",      "service",
    "duration",    "orig_bytes",    "resp_bytes", "conn_state",
    "local_orig",  "local_resp",    "missed_bytes", "history",
    "orig_pkts",   "orig_ip_bytes", "resp_pkts",  "resp_ip_bytes",
    "tunnel_parents",
    // tcpstate's own columns, after Zeek's (zeek-cut reads columns by
    // name): the endpoints' states, "?" appended when inferred, and every
    // other state the capture allows.
    "handshake_rtt", "orig_state", "orig_possible_states", "resp_state",
    "resp_possible_states",
    // Round trips of each side's data (RttSummary).
    "orig_rtt_samples", "orig_rtt_min", "orig_rtt_avg", "orig_rtt_max",
    "resp_rtt_samples", "resp_rtt_min", "resp_rtt_avg", "resp_rtt_max"};
constexpr absl::string_view kTypes[] = {
    "time",   "string", "addr",  "port",  "addr",  "port",  "enum",
    "string", "interval", "count", "count", "string", "bool", "bool",
    "count",  "string", "count", "count", "count", "count", "set[string]",
    "interval", "string", "set[string]", "string", "set[string]",
    "count", "interval", "interval", "interval",
    "count", "interval", "interval", "interval"};
static_assert(sizeof(kFields) == sizeof(kTypes), "one type per field");

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t HashString(uint64_t h, absl::string_view s) {
  for (unsigned char ch : s) {
    h = Mix(h ^ ch);
  }
  return h;
}

// "%Y-%m-%d-%H-%M-%S" in UTC, as Zeek writes #open and #close.
std::string HeaderTime(const std::optional<absl::Time>& t) {
  return absl::FormatTime("%Y-%m-%d-%H-%M-%S",
                          t.value_or(absl::UnixEpoch()), absl::UTCTimeZone());
}

// "ESTABLISHED", "ESTABLISHED?" (inferred) or "UNKNOWN??" (unknown), as
// the text report writes it.
std::string ZeekState(const EndpointRecord& e) {
  const char* suffix = e.certainty == Certainty::kConfirmed  ? ""
                       : e.certainty == Certainty::kInferred ? "?"
                                                             : "??";
  return absl::StrCat(TcpStateName(e.state), suffix);
}

// Zeek's set[string]: comma-separated, "(empty)" for none.
std::string ZeekStateSet(const EndpointRecord& e) {
  std::vector<absl::string_view> names;
  for (const PossibleState& p : e.possible_states) {
    names.push_back(TcpStateName(p.state));
  }
  return names.empty() ? std::string(kEmpty) : absl::StrJoin(names, ",");
}

}  // namespace

std::string ZeekString(absl::string_view s) {
  if (s.empty()) {
    return std::string(kEmpty);
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    const bool marker = i == 0 && (s == kUnset || s == kEmpty);
    if (marker || ch < 0x20 || ch >= 0x7f || ch == ',' || ch == '\\') {
      absl::StrAppendFormat(&out, "\\x%02x", ch);
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  return out;
}

std::string ZeekUid(const ConnectionRecord& c) {
  uint64_t h = Mix(c.id);
  h = HashString(h, c.client.addr.ToString());
  h = HashString(h, c.server.addr.ToString());
  h = Mix(h ^ (uint64_t{c.client.port} << 16 | c.server.port));
  h = Mix(h ^ static_cast<uint64_t>(absl::ToUnixNanos(c.first_seen)));
  // 96 bits: 17 base62 digits (62^17 > 2^96), most significant first.
  uint64_t hi = Mix(h ^ 0x5A5A5A5Aull) >> 32;  // top 32 bits
  uint64_t lo = h;
  static constexpr char kDigits[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string digits(17, '0');
  for (int i = 16; i >= 0; --i) {
    // (hi * 2^64 + lo) divided by 62, in 32-bit limbs.
    const uint64_t parts[3] = {hi, lo >> 32, lo & 0xFFFFFFFFull};
    uint64_t q[3];
    uint64_t rem = 0;
    for (int j = 0; j < 3; ++j) {
      const uint64_t cur = (rem << 32) | parts[j];
      q[j] = cur / 62;
      rem = cur % 62;
    }
    hi = q[0];
    lo = (q[1] << 32) | q[2];
    digits[i] = kDigits[rem];
  }
  return absl::StrCat("C", digits);
}

std::string ZeekConnRow(const ConnectionRecord& c) {
  const absl::Duration duration = c.last_seen - c.first_seen;
  // Zeek sets duration and the byte counts only for a duration above 0.
  const bool lasted = duration > absl::ZeroDuration();
  std::vector<std::string> cells = {
      FormatEpochSeconds(c.first_seen),
      ZeekUid(c),
      ZeekString(c.client.addr.ToString()),
      absl::StrCat(c.client.port),
      ZeekString(c.server.addr.ToString()),
      absl::StrCat(c.server.port),
      "tcp",
      std::string(kUnset),  // service: no protocol detection
      lasted ? FormatSeconds(duration) : std::string(kUnset),
      lasted ? absl::StrCat(c.client.payload_bytes) : std::string(kUnset),
      lasted ? absl::StrCat(c.server.payload_bytes) : std::string(kUnset),
      ZeekString(c.conn_state),
      std::string(kUnset),  // local_orig: no local networks configured
      std::string(kUnset),  // local_resp
      absl::StrCat(c.client.missed_bytes + c.server.missed_bytes),
      c.history.empty() ? std::string(kUnset) : ZeekString(c.history),
      absl::StrCat(c.client.packets),
      absl::StrCat(c.client.ip_bytes),
      absl::StrCat(c.server.packets),
      absl::StrCat(c.server.ip_bytes),
      std::string(kUnset),  // tunnel_parents
      c.handshake_rtt ? FormatSeconds(*c.handshake_rtt) : std::string(kUnset),
      ZeekState(c.client),
      ZeekStateSet(c.client),
      ZeekState(c.server),
      ZeekStateSet(c.server),
  };
  for (const EndpointRecord* e : {&c.client, &c.server}) {
    const RttSummary& r = e->rtt;
    cells.push_back(absl::StrCat(r.samples));
    for (const absl::Duration d : {r.min, r.mean, r.max}) {
      cells.push_back(r.samples > 0 ? PreciseSeconds(d) : std::string(kUnset));
    }
  }
  return absl::StrCat(absl::StrJoin(cells, "\t"), "\n");
}

std::string ZeekConnLogHeader(const CaptureSummary& s) {
  return absl::StrCat("#separator \\x09\n", "#set_separator\t,\n",
                      "#empty_field\t", kEmpty, "\n", "#unset_field\t", kUnset,
                      "\n", "#path\tconn\n", "#open\t",
                      HeaderTime(s.first_packet_time), "\n", "#fields\t",
                      absl::StrJoin(kFields, "\t"), "\n", "#types\t",
                      absl::StrJoin(kTypes, "\t"), "\n");
}

std::string ZeekConnLogFooter(const CaptureSummary& s) {
  return absl::StrCat("#close\t", HeaderTime(s.last_packet_time), "\n");
}

void WriteZeekConnLog(const AnalysisResult& result, std::ostream& os) {
  os << ZeekConnLogHeader(result.summary);
  for (const ConnectionRecord& c : result.connections) {
    os << ZeekConnRow(c);
  }
  os << ZeekConnLogFooter(result.summary);
}

}  // namespace tcpstate
