#include "analyzer/ip_reassembly.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <utility>

namespace tcpstate {
namespace {

// The last hole of a datagram whose end is not known yet (RFC 815's
// "infinity").
constexpr uint32_t kInfinity = std::numeric_limits<uint32_t>::max();

}  // namespace

ReassembledDatagram CompletedDatagram::View() const {
  ReassembledDatagram d;
  d.family = family;
  d.src = src.bytes();
  d.dst = dst.bytes();
  d.pseudo_dst = pseudo_dst.bytes();
  d.protocol = protocol;
  d.header_length = header_length;
  d.ip_id = ip_id;
  d.ttl = ttl;
  d.tunnel_depth = tunnel_depth;
  d.payload = absl::MakeConstSpan(payload);
  return d;
}

IpReassembler::IpReassembler(const ReassemblyOptions& options)
    : options_(options) {}

std::optional<CompletedDatagram> IpReassembler::Add(const IpFragment& f,
                                                    absl::Time now,
                                                    DecodeCounters& counters) {
  const Order::iterator it = Lookup(f, now, counters);
  Pending& p = *it;
  if (p.dead) {
    return std::nullopt;
  }
  const uint32_t begin = f.offset;
  const uint32_t end = f.offset + static_cast<uint32_t>(f.data.size());
  if (end > f.max_end) {
    Kill(p, DecodeCounter::kIpReassemblyTooLarge, counters);
    return std::nullopt;
  }
  if (!SetEnd(p, f)) {
    Kill(p, DecodeCounter::kIpReassemblyBadEnd, counters);
    return std::nullopt;
  }
  bool overlapped = false;
  if (!SameBytes(p, f, overlapped)) {
    Kill(p, DecodeCounter::kIpReassemblyOverlap, counters);
    return std::nullopt;
  }
  if (overlapped) {
    counters.Bump(DecodeCounter::kIpReassemblyDuplicate);
  }
  const uint64_t growth = end > p.data.size() ? end - p.data.size() : 0;
  if (!MakeRoom(it, growth, counters)) {
    Kill(p, DecodeCounter::kIpReassemblyDroppedFull, counters);
    return std::nullopt;
  }
  if (growth > 0) {
    p.data.resize(end);
    bytes_ += growth;
  }
  if (!f.data.empty()) {
    std::memcpy(p.data.data() + begin, f.data.data(), f.data.size());
  }
  FillHoles(p, begin, end);
  if (begin == 0 && !p.first.has_value()) {
    CompletedDatagram& first = p.first.emplace();
    first.pseudo_dst = IpAddress::FromBytes(f.pseudo_dst);
    first.header_length = f.header_length;
    first.ip_id = f.ip_id;
    first.ttl = f.ttl;
  }
  if (p.holes.empty() && p.first.has_value()) {
    return Complete(it, counters);
  }
  return std::nullopt;
}

IpReassembler::Order::iterator IpReassembler::Lookup(
    const IpFragment& f, absl::Time now, DecodeCounters& counters) {
  Key key;
  key.family = f.family;
  key.src = IpAddress::FromBytes(f.src);
  key.dst = IpAddress::FromBytes(f.dst);
  key.id = f.identification;
  key.protocol = f.protocol;
  key.tunnel_depth = f.tunnel_depth;
  const auto found = index_.find(key);
  if (found != index_.end()) {
    return found->second;
  }
  if (order_.size() >= std::max<size_t>(1, options_.max_datagrams)) {
    if (!order_.front().dead) {
      counters.Bump(DecodeCounter::kIpReassemblyDroppedFull);
    }
    Erase(order_.begin());
  }
  Pending& p = order_.emplace_back();
  p.key = key;
  p.created = now;
  p.holes.push_back(Hole{0, kInfinity});
  const Order::iterator it = std::prev(order_.end());
  index_.emplace(key, it);
  return it;
}

// RFC 791 / RFC 8200 4.5: the fragment with MF=0 ends the datagram. A
// second, different end, or data beyond it, is a conflict.
bool IpReassembler::SetEnd(Pending& p, const IpFragment& f) {
  const uint32_t end = f.offset + static_cast<uint32_t>(f.data.size());
  if (f.more_fragments) {
    return !p.end.has_value() || end <= *p.end;
  }
  if (p.end.has_value()) {
    return *p.end == end;
  }
  if (p.data.size() > end) {
    return false;  // an earlier fragment reached past this end
  }
  p.end = end;
  // Nothing past the end is missing any more.
  while (!p.holes.empty() && p.holes.back().first >= end) {
    p.holes.pop_back();
  }
  if (!p.holes.empty() && p.holes.back().last > end) {
    p.holes.back().last = end;
  }
  return true;
}

// The received bytes are the complement of the holes: each run of them
// inside [offset, offset + size) must equal the fragment's.
bool IpReassembler::SameBytes(const Pending& p, const IpFragment& f,
                              bool& overlapped) {
  const uint32_t begin = f.offset;
  const uint32_t end = f.offset + static_cast<uint32_t>(f.data.size());
  uint32_t cursor = begin;
  auto check = [&](uint32_t from, uint32_t to) {
    to = std::min<uint32_t>(to, static_cast<uint32_t>(p.data.size()));
    if (from >= to) {
      return true;
    }
    overlapped = true;
    return std::memcmp(p.data.data() + from, f.data.data() + (from - begin),
                       to - from) == 0;
  };
  for (const Hole& hole : p.holes) {
    if (cursor >= end || hole.first >= end) {
      break;
    }
    if (hole.last <= cursor) {
      continue;
    }
    if (hole.first > cursor && !check(cursor, hole.first)) {
      return false;
    }
    cursor = std::max(cursor, hole.last);
  }
  return cursor >= end || check(cursor, end);
}

// RFC 815 section 3: each hole the fragment touches is deleted, and what
// is left of it before and after the fragment becomes a new hole. Done in
// place: the list stays sorted by `first`.
void IpReassembler::FillHoles(Pending& p, uint32_t first, uint32_t last) {
  if (first >= last) {
    return;
  }
  std::vector<Hole>& holes = p.holes;
  for (size_t i = 0; i < holes.size();) {
    Hole& hole = holes[i];
    if (hole.last <= first || hole.first >= last) {
      ++i;
      continue;
    }
    const bool before = hole.first < first;
    const bool after = hole.last > last;
    if (before && after) {
      // Inside one hole: it splits in two, and no other hole is touched.
      const Hole tail{last, hole.last};
      hole.last = first;
      holes.insert(holes.begin() + static_cast<std::ptrdiff_t>(i) + 1, tail);
      return;
    }
    if (before) {
      hole.last = first;
      ++i;
    } else if (after) {
      hole.first = last;
      ++i;
    } else {
      holes.erase(holes.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
}

bool IpReassembler::MakeRoom(Order::iterator keep, uint64_t growth,
                             DecodeCounters& counters) {
  while (bytes_ + growth > options_.max_bytes) {
    Order::iterator oldest = order_.begin();
    while (oldest != order_.end() && (oldest == keep || oldest->data.empty())) {
      ++oldest;
    }
    if (oldest == order_.end()) {
      return false;  // only `keep` holds bytes: it alone is too much
    }
    if (!oldest->dead) {
      counters.Bump(DecodeCounter::kIpReassemblyDroppedFull);
    }
    Erase(oldest);
  }
  return true;
}

void IpReassembler::Kill(Pending& p, DecodeCounter why,
                         DecodeCounters& counters) {
  counters.Bump(why);
  bytes_ -= p.data.size();
  std::vector<uint8_t>().swap(p.data);
  p.holes.clear();
  p.first.reset();
  p.dead = true;
}

void IpReassembler::Erase(Order::iterator it) {
  bytes_ -= it->data.size();
  index_.erase(it->key);
  order_.erase(it);
}

std::optional<CompletedDatagram> IpReassembler::Complete(
    Order::iterator it, DecodeCounters& counters) {
  counters.Bump(DecodeCounter::kIpFragmentsReassembled);
  CompletedDatagram d = std::move(*it->first);
  d.family = it->key.family;
  d.src = it->key.src;
  d.dst = it->key.dst;
  d.protocol = it->key.protocol;
  d.tunnel_depth = it->key.tunnel_depth;
  d.payload = std::move(it->data);
  bytes_ -= d.payload.size();
  it->data.clear();
  index_.erase(it->key);
  order_.erase(it);
  return d;
}

void IpReassembler::Expire(absl::Time now, DecodeCounters& counters) {
  while (!order_.empty() && now - order_.front().created > options_.timeout) {
    if (!order_.front().dead) {
      counters.Bump(DecodeCounter::kIpReassemblyTimeout);
    }
    Erase(order_.begin());
  }
}

void IpReassembler::Finish(DecodeCounters& counters) {
  while (!order_.empty()) {
    if (!order_.front().dead) {
      counters.Bump(DecodeCounter::kIpReassemblyUnfinished);
    }
    Erase(order_.begin());
  }
}

}  // namespace tcpstate
