#include "reports/format.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tcpstate {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

// Writes `magnitude` in decimal backwards, ending just before `end`, two
// digits at a time; at least `min_digits` digits (zero-padded, even).
// Returns the first character.
char* WriteDigitsBackwards(uint64_t magnitude, int min_digits, char* end) {
  char* p = end;
  for (int i = 0; i < min_digits; i += 2) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * (magnitude % 100), 2);
    magnitude /= 100;
  }
  if (min_digits > 0 && magnitude == 0) {
    return p;
  }
  while (magnitude >= 100) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * (magnitude % 100), 2);
    magnitude /= 100;
  }
  if (magnitude >= 10) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * magnitude, 2);
  } else {
    *--p = static_cast<char>('0' + magnitude);
  }
  return p;
}

// Signed microseconds as "[-]S.UUUUUU" at `buf`; the magnitude is taken
// unsigned so that the most negative value does not overflow. Written by
// hand: this runs several times per connection record.
char* WriteMicros(int64_t micros, char* buf) {
  const bool negative = micros < 0;
  const uint64_t magnitude = negative ? ~static_cast<uint64_t>(micros) + 1
                                      : static_cast<uint64_t>(micros);
  char scratch[kSecondsChars];
  char* end = scratch + sizeof(scratch);
  char* p = WriteDigitsBackwards(magnitude % 1000000, 6, end);
  *--p = '.';
  p = WriteDigitsBackwards(magnitude / 1000000, 0, p);
  if (negative) {
    *--p = '-';
  }
  const size_t n = static_cast<size_t>(end - p);
  std::memcpy(buf, p, n);
  return buf + n;
}

}  // namespace

char* WriteEpochSeconds(absl::Time t, char* buf) {
  return WriteMicros(absl::ToUnixMicros(t), buf);
}

char* WriteSeconds(absl::Duration d, char* buf) {
  return WriteMicros(absl::ToInt64Microseconds(d), buf);
}

char* WriteUint(uint64_t value, char* buf) {
  char scratch[24];
  char* end = scratch + sizeof(scratch);
  char* p = WriteDigitsBackwards(value, 0, end);
  const size_t n = static_cast<size_t>(end - p);
  std::memcpy(buf, p, n);
  return buf + n;
}

char* WriteAddress(const IpAddress& addr, char* buf) {
  if (addr.is_v6()) {
    const std::string text = addr.ToString();
    std::memcpy(buf, text.data(), text.size());
    return buf + text.size();
  }
  const std::array<uint8_t, 16>& b = addr.raw();
  char* p = buf;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      *p++ = '.';
    }
    p = WriteUint(b[i], p);
  }
  return p;
}

void AppendEpochSeconds(absl::Time t, std::string* out) {
  char buf[kSecondsChars];
  out->append(buf, static_cast<size_t>(WriteEpochSeconds(t, buf) - buf));
}

void AppendSeconds(absl::Duration d, std::string* out) {
  char buf[kSecondsChars];
  out->append(buf, static_cast<size_t>(WriteSeconds(d, buf) - buf));
}

std::string FormatEpochSeconds(absl::Time t) {
  std::string s;
  AppendEpochSeconds(t, &s);
  return s;
}

std::string FormatSeconds(absl::Duration d) {
  std::string s;
  AppendSeconds(d, &s);
  return s;
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S UTC", t, absl::UTCTimeZone());
}

std::string FormatEndpoint(const IpAddress& addr, uint16_t port) {
  if (addr.is_v6()) {
    return absl::StrCat("[", addr.ToString(), "]:", port);
  }
  return absl::StrCat(addr.ToString(), ":", port);
}

void ConnectionTally::Add(const ConnectionRecord& record) {
  ++state_pairs_[static_cast<size_t>(record.client.state)]
               [static_cast<size_t>(record.server.state)];
  ++conn_states_[record.conn_state];
}

ConnectionTally ConnectionTally::Of(
    const std::vector<ConnectionRecord>& records) {
  ConnectionTally tally;
  for (const ConnectionRecord& record : records) {
    tally.Add(record);
  }
  return tally;
}

std::vector<ConnectionTally::StatePair> ConnectionTally::StatePairs() const {
  std::vector<StatePair> pairs;
  for (size_t c = 0; c < kStates; ++c) {
    for (size_t v = 0; v < kStates; ++v) {
      if (state_pairs_[c][v] > 0) {
        pairs.push_back({TcpStateName(static_cast<TcpState>(c)),
                         TcpStateName(static_cast<TcpState>(v)),
                         state_pairs_[c][v]});
      }
    }
  }
  // By (client, server) name, then a stable sort by count keeps that order
  // among equal counts.
  std::sort(pairs.begin(), pairs.end(),
            [](const StatePair& a, const StatePair& b) {
              return std::tie(a.client, a.server) <
                     std::tie(b.client, b.server);
            });
  std::stable_sort(
      pairs.begin(), pairs.end(),
      [](const StatePair& a, const StatePair& b) { return a.count > b.count; });
  return pairs;
}

std::vector<std::pair<std::string, uint64_t>> SortedDecodeCounters(
    const DecodeCounters& counters, bool include_zero) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (size_t i = 0; i < kNumDecodeCounters; ++i) {
    const uint64_t value = counters.values[i];
    if (value != 0 || include_zero) {
      out.emplace_back(DecodeCounterName(static_cast<DecodeCounter>(i)), value);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Duration CaptureDuration(const CaptureSummary& summary) {
  if (!summary.first_packet_time || !summary.last_packet_time) {
    return absl::ZeroDuration();
  }
  return *summary.last_packet_time - *summary.first_packet_time;
}

std::string PreciseSeconds(absl::Duration d) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  const uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns)
                              : static_cast<uint64_t>(ns);
  return absl::StrFormat("%s%d.%09d", ns < 0 ? "-" : "", mag / 1000000000,
                         mag % 1000000000);
}

std::string HumanDuration(absl::Duration d) {
  if (d < absl::Milliseconds(1)) {
    return absl::StrCat(absl::ToInt64Microseconds(d), "µs");
  }
  if (d < absl::Seconds(1)) {
    return absl::StrFormat("%.1fms", absl::ToDoubleMilliseconds(d));
  }
  if (d < absl::Minutes(1)) {
    return absl::StrFormat("%.2fs", absl::ToDoubleSeconds(d));
  }
  const int64_t s = absl::ToInt64Seconds(d);
  if (d < absl::Hours(1)) {
    return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  }
  if (d < absl::Hours(24)) {
    return absl::StrFormat("%dh%02dm", s / 3600, s % 3600 / 60);
  }
  return absl::StrFormat("%dd%02dh", s / 86400, s % 86400 / 3600);
}

bool HostHasFinding(const HostRecord& host) {
  return !host.anomalies.empty() || (host.isn && host.isn->predictable);
}

HostTally TallyHosts(const std::vector<HostRecord>& hosts, size_t max_shown) {
  HostTally tally;
  for (const HostRecord& host : hosts) {
    if (HostHasFinding(host)) {
      ++tally.with_finding;
      if (tally.shown.size() < max_shown) {
        tally.shown.push_back(&host);
      }
    } else if (host.isn) {
      ++tally.others;
      ++tally.other_verdicts[host.isn->enough
                                 ? host.isn->isn_class
                                 : std::string("not enough samples")];
    }
  }
  return tally;
}

std::vector<absl::Duration> TimeTicks(absl::Duration span, int max_ticks) {
  static const absl::Duration kSteps[] = {
      absl::Seconds(1),  absl::Seconds(2),   absl::Seconds(5),
      absl::Seconds(10), absl::Seconds(15),  absl::Seconds(30),
      absl::Minutes(1),  absl::Minutes(2),   absl::Minutes(5),
      absl::Minutes(10), absl::Minutes(15),  absl::Minutes(30),
      absl::Hours(1),    absl::Hours(2),     absl::Hours(3),
      absl::Hours(6),    absl::Hours(12),    absl::Hours(24)};
  std::vector<absl::Duration> ticks = {absl::ZeroDuration()};
  if (span <= absl::ZeroDuration() || max_ticks < 1) {
    return ticks;
  }
  absl::Duration step = absl::ZeroDuration();
  // Below a second: 1, 2, 5 x 10^k ns.
  for (int64_t decade = 1; decade < 1000000000 && step == absl::ZeroDuration();
       decade *= 10) {
    for (const int64_t m : {1, 2, 5}) {
      if (span / absl::Nanoseconds(m * decade) <= max_ticks) {
        step = absl::Nanoseconds(m * decade);
        break;
      }
    }
  }
  for (size_t i = 0; step == absl::ZeroDuration(); ++i) {
    if (i < sizeof(kSteps) / sizeof(kSteps[0])) {
      step = span / kSteps[i] <= max_ticks ? kSteps[i] : step;
    } else {  // whole days
      const int64_t days = span / absl::Hours(24) / max_ticks + 1;
      step = absl::Hours(24) * days;
    }
  }
  for (absl::Duration t = step; t <= span; t += step) {
    ticks.push_back(t);
  }
  return ticks;
}

std::string TickLabel(absl::Duration d) {
  if (d <= absl::ZeroDuration()) {
    return "0";
  }
  if (d < absl::Milliseconds(1)) {
    return absl::StrFormat("%gµs", absl::ToDoubleMicroseconds(d));
  }
  if (d < absl::Seconds(1)) {
    return absl::StrFormat("%gms", absl::ToDoubleMilliseconds(d));
  }
  if (d < absl::Minutes(1)) {
    return absl::StrFormat("%gs", absl::ToDoubleSeconds(d));
  }
  std::string out;
  const int64_t s = absl::ToInt64Seconds(d);
  const int64_t parts[] = {s / 86400, s % 86400 / 3600, s % 3600 / 60};
  const char* units[] = {"d", "h", "m"};
  for (int i = 0; i < 3; ++i) {
    if (parts[i] != 0) {
      absl::StrAppend(&out, parts[i], units[i]);
    }
  }
  const absl::Duration rest = d - absl::Seconds(s - s % 60);
  if (rest > absl::ZeroDuration()) {
    absl::StrAppend(&out, absl::StrFormat("%gs", absl::ToDoubleSeconds(rest)));
  }
  return out;
}

}  // namespace tcpstate
