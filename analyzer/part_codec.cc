#include "analyzer/part_codec.h"

#include <utility>

#include "dissectors/ip_address.h"

namespace tcpstate {
namespace {

// A field added to one of these structs must be added to its codec below
// (and the part format version raised): the sizes catch the addition.
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(ConnectionRecord) == 784, "update EncodeRecord");
static_assert(sizeof(EndpointRecord) == 248, "update EncodeEndpoint");
static_assert(sizeof(Anomaly) == 184, "update EncodeAnomaly");
static_assert(sizeof(CaptureSummary) == 536, "update EncodeSummary");
static_assert(sizeof(LadderSegment) == 56, "update EncodeLadder");
static_assert(sizeof(PossibleState) == 48, "update EncodePossible");
static_assert(sizeof(InputInfo) == 112, "update EncodeInput");
#endif

const absl::Duration kQuarterNs = absl::Nanoseconds(1) / 4;

template <typename T>
uint8_t EnumByte(T v) {
  return static_cast<uint8_t>(v);
}

void EncodeAddr(const IpAddress& a, PartEncoder& e) {
  e.Bool(a.is_v6());
  for (uint8_t b : a.bytes()) {
    e.Byte(b);
  }
}

IpAddress DecodeAddr(PartDecoder& d) {
  const bool v6 = d.Bool();
  uint8_t bytes[16] = {};
  const size_t n = v6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i) {
    bytes[i] = d.Byte();
  }
  return IpAddress::FromBytes(absl::MakeConstSpan(bytes, n));
}

template <typename T, typename F>
void EncodeList(const std::vector<T>& v, PartEncoder& e, F each) {
  e.U(v.size());
  for (const T& x : v) {
    each(x);
  }
}

// Lists are bounded by the bytes left: each element takes at least one.
template <typename T, typename F>
void DecodeList(PartDecoder& d, std::vector<T>* v, F each) {
  const uint64_t n = d.U();
  if (n > d.remaining()) {
    d.Fail();
    return;
  }
  v->clear();
  v->resize(static_cast<size_t>(n));
  for (T& x : *v) {
    each(x);
  }
}

template <typename T>
void EncodeOpt(const std::optional<T>& v, PartEncoder& e) {
  e.Bool(v.has_value());
  if (v) {
    e.U(*v);
  }
}

template <typename T>
std::optional<T> DecodeOpt(PartDecoder& d) {
  if (!d.Bool()) {
    return std::nullopt;
  }
  return static_cast<T>(d.U());
}

void EncodeAnomaly(const Anomaly& a, PartEncoder& e) {
  e.Str(a.kind);
  e.Byte(EnumByte(a.severity));
  e.Str(a.endpoint);
  e.U(a.first_packet);
  e.U(a.last_packet);
  e.Time(a.t);
  e.Dur(a.duration);
  e.U(a.count);
  EncodeList(a.packets, e, [&](uint64_t p) { e.U(p); });
  e.Str(a.detail);
}

void DecodeAnomaly(PartDecoder& d, Anomaly& a) {
  a.kind = d.Str();
  a.severity = static_cast<Severity>(d.Below(3));
  a.endpoint = d.Str();
  a.first_packet = d.U();
  a.last_packet = d.U();
  a.t = d.Time();
  a.duration = d.Dur();
  a.count = d.U();
  DecodeList(d, &a.packets, [&](uint64_t& p) { p = d.U(); });
  a.detail = d.Str();
}

void EncodePossible(const PossibleState& p, PartEncoder& e) {
  e.Byte(EnumByte(p.state));
  EncodeList(p.reasons, e, [&](PossibleReason r) { e.Byte(EnumByte(r)); });
  e.U(p.packet);
  e.U(p.amount);
}

void DecodePossible(PartDecoder& d, PossibleState& p) {
  p.state = static_cast<TcpState>(d.Below(kNumTcpStates));
  DecodeList(d, &p.reasons, [&](PossibleReason& r) {
    r = static_cast<PossibleReason>(d.Below(kNumPossibleReasons));
  });
  p.packet = d.U();
  p.amount = d.U();
}

void EncodeEndpoint(const EndpointRecord& p, PartEncoder& e) {
  EncodeAddr(p.addr, e);
  e.U(p.port);
  e.Byte(EnumByte(p.state));
  e.Byte(EnumByte(p.certainty));
  EncodeOpt(p.isn, e);
  e.Time(p.isn_time);
  e.U(p.isn_packet);
  EncodeOpt(p.syn_ip_id, e);
  EncodeOpt(p.syn_tsval, e);
  e.U(p.packets);
  e.U(p.payload_bytes);
  e.U(p.missed_bytes);
  e.U(p.ip_bytes);
  e.U(p.syns);
  e.U(p.fins);
  e.U(p.rsts);
  EncodeOpt(p.options.mss, e);
  EncodeOpt(p.options.window_scale, e);
  e.Bool(p.options.sack_permitted);
  e.Bool(p.options.timestamps);
  e.Bool(p.options.tfo);
  e.U(p.rtt.samples);
  for (const absl::Duration d : {p.rtt.min, p.rtt.mean, p.rtt.max,
                                 p.rtt.stddev}) {
    e.Dur(d);
  }
  EncodeList(p.timeline, e, [&](const StateChange& c) {
    e.Time(c.t);
    e.U(c.packet);
    e.Byte(EnumByte(c.state));
  });
  EncodeList(p.possible_states, e,
             [&](const PossibleState& s) { EncodePossible(s, e); });
}

void DecodeEndpoint(PartDecoder& d, EndpointRecord& p) {
  p.addr = DecodeAddr(d);
  p.port = static_cast<uint16_t>(d.U());
  p.state = static_cast<TcpState>(d.Below(kNumTcpStates));
  p.certainty = static_cast<Certainty>(d.Below(3));
  p.isn = DecodeOpt<uint32_t>(d);
  p.isn_time = d.Time();
  p.isn_packet = d.U();
  p.syn_ip_id = DecodeOpt<uint16_t>(d);
  p.syn_tsval = DecodeOpt<uint32_t>(d);
  p.packets = d.U();
  p.payload_bytes = d.U();
  p.missed_bytes = d.U();
  p.ip_bytes = d.U();
  p.syns = static_cast<uint32_t>(d.U());
  p.fins = static_cast<uint32_t>(d.U());
  p.rsts = static_cast<uint32_t>(d.U());
  p.options.mss = DecodeOpt<uint16_t>(d);
  p.options.window_scale = DecodeOpt<uint8_t>(d);
  p.options.sack_permitted = d.Bool();
  p.options.timestamps = d.Bool();
  p.options.tfo = d.Bool();
  p.rtt.samples = static_cast<uint32_t>(d.U());
  for (absl::Duration* v : {&p.rtt.min, &p.rtt.mean, &p.rtt.max,
                            &p.rtt.stddev}) {
    *v = d.Dur();
  }
  DecodeList(d, &p.timeline, [&](StateChange& c) {
    c.t = d.Time();
    c.packet = d.U();
    c.state = static_cast<TcpState>(d.Below(kNumTcpStates));
  });
  DecodeList(d, &p.possible_states,
             [&](PossibleState& s) { DecodePossible(d, s); });
}

void EncodeLadder(const Ladder& l, PartEncoder& e) {
  EncodeList(l.segments, e, [&](const LadderSegment& s) {
    e.U(s.packet);
    e.Time(s.t);
    e.Bool(s.from_client);
    e.Byte(s.flags);
    e.U(s.rel_seq);
    e.U(s.rel_ack);
    e.U(s.len);
    e.U(s.window);
    e.U(s.anomaly_kinds);
    e.Bool(s.lost_after_tap);
    e.Bool(s.duplicate);
  });
  EncodeList(l.folds, e, [&](const Ladder::Fold& f) {
    e.U(f.after);
    e.U(f.omitted);
  });
  e.U(l.total);
}

void DecodeLadder(PartDecoder& d, Ladder& l) {
  DecodeList(d, &l.segments, [&](LadderSegment& s) {
    s.packet = d.U();
    s.t = d.Time();
    s.from_client = d.Bool();
    s.flags = d.Byte();
    s.rel_seq = static_cast<uint32_t>(d.U());
    s.rel_ack = static_cast<uint32_t>(d.U());
    s.len = static_cast<uint32_t>(d.U());
    s.window = static_cast<uint16_t>(d.U());
    s.anomaly_kinds = static_cast<uint32_t>(d.U());
    s.lost_after_tap = d.Bool();
    s.duplicate = d.Bool();
  });
  DecodeList(d, &l.folds, [&](Ladder::Fold& f) {
    f.after = static_cast<size_t>(d.U());
    f.omitted = d.U();
  });
  l.total = d.U();
}

}  // namespace

void PartEncoder::U(uint64_t v) {
  while (v >= 0x80) {
    Byte(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  Byte(static_cast<uint8_t>(v));
}

void PartEncoder::I(int64_t v) {
  U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PartEncoder::Str(absl::string_view s) {
  U(s.size());
  out_.append(s.data(), s.size());
}

void PartEncoder::Dur(absl::Duration d) {
  if (d == absl::InfiniteDuration() || d == -absl::InfiniteDuration()) {
    Byte(d > absl::ZeroDuration() ? 1 : 2);
    return;
  }
  Byte(0);
  absl::Duration rem;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rem);
  I(seconds);
  I(absl::IDivDuration(rem, kQuarterNs, &rem));
}

uint64_t PartDecoder::U() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t b = Byte();
    if (!ok_) {
      return 0;
    }
    v |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) {
      return v;
    }
  }
  Fail();  // longer than any 64-bit value
  return 0;
}

int64_t PartDecoder::I() {
  const uint64_t z = U();
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

uint8_t PartDecoder::Byte() {
  if (!ok_ || pos_ >= bytes_.size()) {
    ok_ = false;
    return 0;
  }
  return bytes_[pos_++];
}

bool PartDecoder::Bool() { return Below(2) == 1; }

uint64_t PartDecoder::Below(uint64_t limit) {
  const uint64_t v = U();
  if (v >= limit) {
    Fail();
    return 0;
  }
  return v;
}

std::string PartDecoder::Str() {
  const uint64_t n = U();
  if (!ok_ || n > bytes_.size() - pos_) {
    Fail();
    return std::string();
  }
  std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_),
                static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return s;
}

absl::Duration PartDecoder::Dur() {
  switch (Below(3)) {
    case 1:
      return absl::InfiniteDuration();
    case 2:
      return -absl::InfiniteDuration();
    default:
      break;
  }
  const int64_t seconds = I();
  const int64_t quarters = I();
  if (!ok_ || quarters <= -4'000'000'000 || quarters >= 4'000'000'000) {
    Fail();
    return absl::ZeroDuration();
  }
  return absl::Seconds(seconds) + kQuarterNs * quarters;
}

void EncodeRecord(const ConnectionRecord& r, PartEncoder& e) {
  e.U(r.id);
  e.Time(r.first_seen);
  e.Time(r.last_seen);
  e.U(r.first_packet);
  e.U(r.last_packet);
  EncodeEndpoint(r.client, e);
  EncodeEndpoint(r.server, e);
  e.Str(r.conn_state);
  e.Str(r.history);
  e.Bool(r.mid_stream);
  e.Byte(EnumByte(r.role_rule));
  e.Byte(EnumByte(r.end_reason));
  EncodeList(r.notes, e, [&](const std::string& n) { e.Str(n); });
  EncodeList(r.anomalies, e, [&](const Anomaly& a) { EncodeAnomaly(a, e); });
  e.Bool(r.handshake_rtt.has_value());
  if (r.handshake_rtt) {
    e.Dur(*r.handshake_rtt);
  }
  e.Bool(r.reuse.has_value());
  if (r.reuse) {
    e.U(r.reuse->previous_id);
    e.Byte(EnumByte(r.reuse->previous_client));
    e.Byte(EnumByte(r.reuse->previous_server));
  }
  e.Bool(r.ladder.has_value());
  if (r.ladder) {
    EncodeLadder(*r.ladder, e);
  }
}

void DecodeRecord(PartDecoder& d, ConnectionRecord* rec) {
  ConnectionRecord& r = *rec;
  r.id = d.U();
  r.first_seen = d.Time();
  r.last_seen = d.Time();
  r.first_packet = d.U();
  r.last_packet = d.U();
  DecodeEndpoint(d, r.client);
  DecodeEndpoint(d, r.server);
  r.conn_state = d.Str();
  r.history = d.Str();
  r.mid_stream = d.Bool();
  r.role_rule = static_cast<RoleRule>(
      d.Below(EnumByte(RoleRule::kFirstPacketReceiverIsServer) + 1));
  r.end_reason =
      static_cast<EndReason>(d.Below(EnumByte(EndReason::kEvicted) + 1));
  DecodeList(d, &r.notes, [&](std::string& n) { n = d.Str(); });
  DecodeList(d, &r.anomalies,
             [&](Anomaly& a) { DecodeAnomaly(d, a); });
  r.handshake_rtt.reset();
  if (d.Bool()) {
    r.handshake_rtt = d.Dur();
  }
  r.reuse.reset();
  if (d.Bool()) {
    PortReuse p;
    p.previous_id = d.U();
    p.previous_client = static_cast<TcpState>(d.Below(kNumTcpStates));
    p.previous_server = static_cast<TcpState>(d.Below(kNumTcpStates));
    r.reuse = p;
  }
  r.ladder.reset();
  if (d.Bool()) {
    r.ladder.emplace();
    DecodeLadder(d, *r.ladder);
  }
}

void EncodeSummary(const CaptureSummary& s, PartEncoder& e) {
  e.U(s.packets);
  e.U(s.bytes);
  e.U(s.tcp_packets);
  e.U(s.connections);
  e.U(s.connections_finished);
  e.U(s.connections_evicted);
  e.U(s.connections_open_at_end);
  e.U(s.max_connections);
  e.U(s.timestamps_backwards);
  e.Bool(s.first_packet_time.has_value());
  if (s.first_packet_time) {
    e.Time(*s.first_packet_time);
  }
  e.Bool(s.last_packet_time.has_value());
  if (s.last_packet_time) {
    e.Time(*s.last_packet_time);
  }
  e.U(s.decode.values.size());
  for (uint64_t v : s.decode.values) {
    e.U(v);
  }
}

void DecodeSummary(PartDecoder& d, CaptureSummary* summary) {
  CaptureSummary& s = *summary;
  s.packets = d.U();
  s.bytes = d.U();
  s.tcp_packets = d.U();
  s.connections = d.U();
  s.connections_finished = d.U();
  s.connections_evicted = d.U();
  s.connections_open_at_end = d.U();
  s.max_connections = d.U();
  s.timestamps_backwards = d.U();
  s.first_packet_time.reset();
  if (d.Bool()) {
    s.first_packet_time = d.Time();
  }
  s.last_packet_time.reset();
  if (d.Bool()) {
    s.last_packet_time = d.Time();
  }
  if (d.U() != s.decode.values.size()) {
    d.Fail();
    return;
  }
  for (uint64_t& v : s.decode.values) {
    v = d.U();
  }
}

void EncodeInput(const InputInfo& in, PartEncoder& e) {
  e.Str(in.name);
  e.Str(in.link_type);
  e.U(in.packets);
  e.U(in.bytes);
  e.Str(in.error);
}

void DecodeInput(PartDecoder& d, InputInfo* in) {
  in->name = d.Str();
  in->link_type = d.Str();
  in->packets = d.U();
  in->bytes = d.U();
  in->error = d.Str();
}

std::string AnalysisFingerprint(const AnalyzerOptions& o) {
  PartEncoder e;
  e.Dur(o.time_wait);
  e.Dur(o.anomalies.stuck_after);
  for (const std::optional<absl::Duration>& d : o.anomalies.overrides) {
    e.Bool(d.has_value());
    if (d) {
      e.Dur(*d);
    }
  }
  e.U(o.anomalies.stuck_fin_retransmits);
  e.U(o.anomalies.syn_flood_min);
  e.U(o.anomalies.syn_flood_sources);
  e.Dur(o.anomalies.syn_flood_window);
  e.U(o.max_connections);
  e.U(o.max_memory_bytes);
  e.Dur(o.idle_timeout);
  e.Dur(o.sweep_interval);
  e.Bool(o.reassembly.enabled);
  e.Dur(o.reassembly.timeout);
  e.U(o.reassembly.max_datagrams);
  e.U(o.reassembly.max_bytes);
  return std::move(e.bytes());
}

bool DecodeAnalysisFingerprint(absl::string_view fingerprint,
                               AnalyzerOptions* options) {
  PartDecoder d(fingerprint);
  AnalyzerOptions& o = *options;
  o.time_wait = d.Dur();
  o.anomalies.stuck_after = d.Dur();
  for (std::optional<absl::Duration>& v : o.anomalies.overrides) {
    v.reset();
    if (d.Bool()) {
      v = d.Dur();
    }
  }
  o.anomalies.stuck_fin_retransmits = static_cast<uint32_t>(d.U());
  o.anomalies.syn_flood_min = static_cast<uint32_t>(d.U());
  o.anomalies.syn_flood_sources = static_cast<uint32_t>(d.U());
  o.anomalies.syn_flood_window = d.Dur();
  o.max_connections = static_cast<size_t>(d.U());
  o.max_memory_bytes = d.U();
  o.idle_timeout = d.Dur();
  o.sweep_interval = d.Dur();
  o.reassembly.enabled = d.Bool();
  o.reassembly.timeout = d.Dur();
  o.reassembly.max_datagrams = static_cast<size_t>(d.U());
  o.reassembly.max_bytes = d.U();
  return d.ok() && d.done();
}

}  // namespace tcpstate
