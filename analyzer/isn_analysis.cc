#include "analyzer/isn_analysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {
namespace {

constexpr uint32_t kMaxSteps = 1024;        // fixed_increment: diff <= 1024 x GCD
constexpr double kClockTolerance = 65536;  // time_linear: max fit residual
constexpr uint32_t kPredictableSp = 6;     // below: "Trivial joke" or "Easy"
constexpr size_t kEvidence = 16;
constexpr size_t kProofPackets = 8;

double Seconds(absl::Time a, absl::Time b) {
  return std::max(absl::ToDoubleSeconds(b - a), 1e-6);
}

uint32_t Log2Index(double v) {
  return static_cast<uint32_t>(8 * std::log2(v) + 0.5);
}

// Forward ISN advances (mod 2^32) between consecutive samples.
std::vector<uint32_t> Forward(absl::Span<const IsnSample> s) {
  std::vector<uint32_t> d;
  for (size_t i = 1; i < s.size(); ++i) {
    d.push_back(s[i].isn - s[i - 1].isn);
  }
  return d;
}

// The most frequent forward advance (ties: the smallest).
uint32_t ModeStep(const std::vector<uint32_t>& forward) {
  std::map<uint32_t, size_t> counts;
  for (uint32_t d : forward) {
    ++counts[d];
  }
  uint32_t best = 0;
  size_t best_count = 0;
  for (const auto& [d, n] : counts) {
    if (n > best_count) {
      best = d;
      best_count = n;
    }
  }
  return best;
}

bool FixedIncrement(const std::vector<uint32_t>& forward) {
  uint32_t g = 0;
  for (uint32_t d : forward) {
    g = std::gcd(g, d);
  }
  if (g < 10) {
    return false;
  }
  return std::all_of(forward.begin(), forward.end(),
                     [g](uint32_t d) { return d / g <= kMaxSteps; });
}

// Least-squares line through the unwrapped ISNs against time.
struct ClockFit {
  double rate = 0;       // ISN increments per second
  double max_residual = 0;
  double at_last = 0;    // fitted value at the last sample (unwrapped)
};

ClockFit FitClock(absl::Span<const IsnSample> s) {
  std::vector<double> x, y;
  double acc = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) {
      acc += static_cast<uint32_t>(s[i].isn - s[i - 1].isn);
    }
    x.push_back(absl::ToDoubleSeconds(s[i].t - s[0].t));
    y.push_back(acc);
  }
  const double n = static_cast<double>(s.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  ClockFit f;
  f.rate = sxx > 0 ? sxy / sxx : 0;
  for (size_t i = 0; i < x.size(); ++i) {
    f.max_residual = std::max(
        f.max_residual, std::fabs(y[i] - (my + f.rate * (x[i] - mx))));
  }
  f.at_last = my + f.rate * (x.back() - mx);
  return f;
}

bool TimeLinear(absl::Span<const IsnSample> s) {
  for (uint32_t d : Forward(s)) {
    if (d >= 0x80000000u) {
      return false;
    }
  }
  const ClockFit f = FitClock(s);
  return f.rate >= 1 && f.max_residual <= kClockTolerance;
}

const char* Classify(absl::Span<const IsnSample> s, const SeqMetrics& m) {
  if (std::all_of(s.begin(), s.end(),
                  [](const IsnSample& x) { return x.isn == 0; })) {
    return "zero";
  }
  if (m.gcd == 0) {
    return "constant";
  }
  if (FixedIncrement(Forward(s))) {
    return "fixed_increment";
  }
  if (TimeLinear(s)) {
    return "time_linear";
  }
  return "random";
}

// The ISN after the last sample, by the class's model; `gap` is the time
// to the next sample (time_linear only).
std::optional<uint32_t> Predict(absl::Span<const IsnSample> s,
                                const std::string& cls, absl::Duration gap) {
  const uint32_t last = s.back().isn;
  if (cls == "zero" || cls == "constant") {
    return last;
  }
  if (cls == "fixed_increment") {
    return last + ModeStep(Forward(s));
  }
  if (cls == "time_linear") {
    const double delta = FitClock(s).rate * absl::ToDoubleSeconds(gap);
    return last + static_cast<uint32_t>(std::llround(delta) & 0xffffffffLL);
  }
  return std::nullopt;
}

absl::Duration MedianGap(absl::Span<const IsnSample> s) {
  std::vector<absl::Duration> gaps;
  for (size_t i = 1; i < s.size(); ++i) {
    gaps.push_back(s[i].t - s[i - 1].t);
  }
  std::sort(gaps.begin(), gaps.end());
  return gaps.empty() ? absl::ZeroDuration() : gaps[gaps.size() / 2];
}

}  // namespace

uint32_t IsnModDiff(uint32_t a, uint32_t b) {
  return std::min(static_cast<uint32_t>(a - b), static_cast<uint32_t>(b - a));
}

SeqMetrics ComputeSeqMetrics(absl::Span<const IsnSample> s) {
  SeqMetrics m;
  if (s.size() < 2) {
    return m;
  }
  std::vector<double> rates;
  for (size_t i = 1; i < s.size(); ++i) {
    const uint32_t diff = IsnModDiff(s[i].isn, s[i - 1].isn);
    m.gcd = std::gcd(m.gcd, diff);
    rates.push_back(diff / Seconds(s[i - 1].t, s[i].t));
  }
  if (m.gcd == 0) {
    return m;  // constant ISN: ISR and SP are 0
  }
  const double avg =
      std::accumulate(rates.begin(), rates.end(), 0.0) / rates.size();
  m.isr = avg < 1 ? 0 : Log2Index(avg);
  if (rates.size() < 2) {
    return m;
  }
  const double div = m.gcd > 9 ? m.gcd : 1;
  double sum = 0;
  for (double r : rates) {
    sum += (r / div - avg / div) * (r / div - avg / div);
  }
  const double sd = std::sqrt(sum / (rates.size() - 1));
  m.sp = sd <= 1 ? 0 : Log2Index(sd);
  return m;
}

const char* IsnDifficulty(uint32_t sp) {
  if (sp < 3) {
    return "Trivial joke";
  }
  if (sp < 6) {
    return "Easy";
  }
  if (sp < 11) {
    return "Medium";
  }
  if (sp < 12) {
    return "Formidable";
  }
  if (sp < 16) {
    return "Worthy challenge";
  }
  return "Good luck!";
}

const char* IpIdClass(absl::Span<const uint16_t> ids) {
  if (ids.size() < 3) {
    return "";
  }
  std::vector<uint16_t> d;
  for (size_t i = 1; i < ids.size(); ++i) {
    d.push_back(static_cast<uint16_t>(ids[i] - ids[i - 1]));
  }
  auto all = [&](auto pred) { return std::all_of(d.begin(), d.end(), pred); };
  auto any = [&](auto pred) { return std::any_of(d.begin(), d.end(), pred); };
  if (std::all_of(ids.begin(), ids.end(), [](uint16_t x) { return x == 0; })) {
    return "zero";
  }
  if (any([](uint16_t x) { return x > 20000; })) {
    return "random";
  }
  if (all([](uint16_t x) { return x == 0; })) {
    return "constant";
  }
  if (any([](uint16_t x) {
        return x > 1000 && (x % 256 != 0 || x >= 25600);
      })) {
    return "random_positive_increments";
  }
  if (all([](uint16_t x) { return x % 256 == 0 && x <= 5120; })) {
    return "broken_increment";
  }
  if (all([](uint16_t x) { return x % 2 == 0; }) ||
      all([](uint16_t x) { return x < 10; })) {
    return "incremental";
  }
  return "unknown";
}

std::optional<uint32_t> TimestampHz(absl::Span<const IsnSample> samples) {
  std::map<IpAddress, const IsnSample*> last;
  std::vector<double> rates;
  for (const IsnSample& s : samples) {
    if (!s.tsval) {
      continue;
    }
    auto [it, inserted] = last.try_emplace(s.peer, &s);
    if (!inserted) {
      const absl::Duration dt = s.t - it->second->t;
      if (dt >= absl::Milliseconds(10)) {
        const uint32_t ticks = *s.tsval - *it->second->tsval;
        rates.push_back(ticks / absl::ToDoubleSeconds(dt));
      }
      it->second = &s;
    }
  }
  if (rates.size() < 2) {
    return std::nullopt;
  }
  std::sort(rates.begin(), rates.end());
  // One clock: every pair agrees within 10%. Random offsets per connection
  // (Linux since 4.10) give no rate.
  if (rates.front() < 1 || rates.back() > 1.1 * rates.front() ||
      rates.back() > 1e6) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(std::llround(rates[rates.size() / 2]));
}

HostIsn AnalyzeIsns(absl::Span<const IsnSample> s) {
  HostIsn h;
  h.samples = s.size();
  const size_t from = s.size() > kEvidence ? s.size() - kEvidence : 0;
  for (size_t i = from; i < s.size(); ++i) {
    h.evidence.push_back(s[i].packet);
  }
  std::vector<uint16_t> ids;
  for (const IsnSample& x : s) {
    if (x.ip_id) {
      ids.push_back(*x.ip_id);
    }
  }
  h.ip_id_class = IpIdClass(ids);
  h.ts_hz = TimestampHz(s);
  h.enough = s.size() >= kMinIsnSamples;
  if (!h.enough) {
    return h;
  }
  const SeqMetrics m = ComputeSeqMetrics(s);
  h.gcd = m.gcd;
  h.isr = m.isr;
  h.sp = m.sp;
  h.difficulty = IsnDifficulty(m.sp);
  h.isn_class = Classify(s, m);
  h.predictable = h.isn_class != "random" || m.sp < kPredictableSp;
  const absl::Span<const IsnSample> earlier = s.first(s.size() - 1);
  h.next_predicted = Predict(s, h.isn_class, MedianGap(s));
  const std::string earlier_class = Classify(earlier, ComputeSeqMetrics(earlier));
  if (std::optional<uint32_t> p = Predict(
          earlier, earlier_class, s.back().t - earlier.back().t)) {
    h.check = IsnCheck{s.back().packet, *p, s.back().isn};
  }
  return h;
}

IsnAnalyzer::IsnAnalyzer(size_t max_hosts, size_t max_samples)
    : max_hosts_(max_hosts), max_samples_(std::max<size_t>(max_samples, 2)) {}

void IsnAnalyzer::Add(const ConnectionRecord& record) {
  AddEndpoint(record.client, record.server);
  AddEndpoint(record.server, record.client);
}

void IsnAnalyzer::AddEndpoint(const EndpointRecord& e,
                              const EndpointRecord& peer) {
  if (!e.isn || e.isn_packet == 0) {
    return;
  }
  auto it = hosts_.find(e.addr);
  if (it == hosts_.end()) {
    if (hosts_.size() >= max_hosts_) {
      return;
    }
    it = hosts_.emplace(e.addr, Host{}).first;
  }
  Host& h = it->second;
  // The samples kept are the max_samples_ latest by packet: the end of the
  // sorted vector. Older ones are trimmed in batches, not one per sample
  // (a flood adds millions to one host), which keeps the same set.
  const size_t kept = std::min(h.samples.size(), max_samples_);
  for (auto k = h.samples.end() - kept; k != h.samples.end(); ++k) {
    // Ports first: they differ for nearly every other 4-tuple.
    if (k->peer_port == peer.port && k->port == e.port &&
        k->peer == peer.addr) {
      ++h.same_tuple;  // judged across different 4-tuples only
      return;
    }
  }
  IsnSample s{*e.isn,        e.isn_time, e.isn_packet, e.syn_ip_id,
              e.syn_tsval,   peer.addr,  e.port,       peer.port};
  auto pos = std::upper_bound(
      h.samples.begin(), h.samples.end(), s.packet,
      [](uint64_t p, const IsnSample& x) { return p < x.packet; });
  h.samples.insert(pos, s);
  if (h.samples.size() >= 2 * max_samples_) {
    Trim(h);
  }
}

void IsnAnalyzer::Trim(Host& h) const {
  if (h.samples.size() > max_samples_) {
    h.samples.erase(h.samples.begin(),
                    h.samples.end() - static_cast<ptrdiff_t>(max_samples_));
  }
}

namespace {

Anomaly PredictableAnomaly(const IpAddress& addr,
                           absl::Span<const IsnSample> s, const HostIsn& h) {
  Anomaly a;
  a.kind = InfoOf(AnomalyKind::kPredictableIsn).id;
  a.severity = InfoOf(AnomalyKind::kPredictableIsn).severity;
  a.endpoint = addr.ToString();
  a.first_packet = s.front().packet;
  a.last_packet = s.back().packet;
  a.t = s.front().t;
  a.duration = s.back().t - s.front().t;
  a.count = s.size();
  for (size_t i = 0; i < s.size() && i < kProofPackets; ++i) {
    a.packets.push_back(s[i].packet);
  }
  std::string check;
  if (h.check) {
    check = absl::StrFormat(
        "; from the earlier ones the ISN of packet %d was predicted as %u "
        "and observed as %u",
        h.check->packet, h.check->predicted, h.check->observed);
  }
  std::string next;
  if (h.next_predicted) {
    next = absl::StrFormat("; the next is predicted as %u", *h.next_predicted);
  }
  a.detail = absl::StrFormat(
      "%d ISNs over different 4-tuples are %s (GCD %u, ISR %u, SP %u, "
      "Nmap difficulty \"%s\")%s%s.",
      s.size(), h.isn_class, h.gcd, h.isr, h.sp, h.difficulty, check, next);
  return a;
}

}  // namespace

void IsnAnalyzer::Finish(std::vector<HostRecord>& hosts,
                         std::vector<Anomaly>& anomalies) {
  // In address order (the table is hashed).
  std::vector<std::pair<IpAddress, Host*>> sorted;
  sorted.reserve(hosts_.size());
  for (auto& [addr, host] : hosts_) {
    sorted.emplace_back(addr, &host);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [addr, host_ptr] : sorted) {
    Host& host = *host_ptr;
    Trim(host);
    HostIsn isn = AnalyzeIsns(host.samples);
    isn.same_tuple = host.same_tuple;
    const IpAddress& key = addr;  // clang: lambdas cannot capture bindings
    auto it = std::find_if(hosts.begin(), hosts.end(),
                           [&](const HostRecord& h) { return h.addr == key; });
    if (it == hosts.end()) {
      hosts.push_back(HostRecord{addr, {}, std::nullopt});
      it = hosts.end() - 1;
    }
    if (isn.enough && isn.predictable) {
      Anomaly a = PredictableAnomaly(addr, host.samples, isn);
      it->anomalies.push_back(a);
      anomalies.push_back(std::move(a));
    }
    it->isn = std::move(isn);
  }
  std::sort(hosts.begin(), hosts.end(),
            [](const HostRecord& x, const HostRecord& y) {
              return x.addr < y.addr;
            });
  std::stable_sort(anomalies.begin(), anomalies.end(),
                   [](const Anomaly& x, const Anomaly& y) {
                     return x.t != y.t ? x.t < y.t : x.endpoint < y.endpoint;
                   });
  hosts_.clear();
}

}  // namespace tcpstate
