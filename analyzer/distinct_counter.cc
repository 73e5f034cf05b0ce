#include "analyzer/distinct_counter.h"

#include <algorithm>
#include <cmath>

#include "analyzer/hash_mix.h"

namespace tcpstate {
DistinctCounter::DistinctCounter(const DistinctCounter& other)
    : exact_limit_(other.exact_limit_), set_(other.set_) {
  if (other.sketch_ != nullptr) {
    sketch_ = std::make_unique<Sketch>(*other.sketch_);
  }
}

DistinctCounter& DistinctCounter::operator=(const DistinctCounter& other) {
  if (this != &other) {
    DistinctCounter copy(other);
    *this = std::move(copy);
  }
  return *this;
}

uint64_t DistinctCounter::Hash(const IpAddress& a) {
  uint64_t lo = 0;
  uint64_t hi = 0;
  const std::array<uint8_t, 16>& b = a.raw();
  for (int i = 0; i < 8; ++i) {
    lo |= uint64_t{b[i]} << (8 * i);
    hi |= uint64_t{b[8 + i]} << (8 * i);
  }
  return Fmix64(lo ^ Fmix64(hi ^ (a.is_v6() ? 0x9e3779b97f4a7c15ull : 0)));
}

void DistinctCounter::AddHash(uint64_t h) {
  // The low 10 bits pick the register; it keeps the longest run of zeros
  // (plus one) seen in the other 54.
  const size_t index = h & (kRegisters - 1);
  const uint64_t rest = h >> 10;
  const uint8_t rank = static_cast<uint8_t>(
      rest == 0 ? 55 : __builtin_ctzll(rest) + 1);
  (*sketch_)[index] = std::max((*sketch_)[index], rank);
}

void DistinctCounter::ToSketch() {
  sketch_ = std::make_unique<Sketch>();
  sketch_->fill(0);
  for (const IpAddress& a : set_) {
    AddHash(Hash(a));
  }
  set_ = absl::flat_hash_set<IpAddress>();  // its memory back
}

void DistinctCounter::Add(const IpAddress& a) {
  if (sketch_ != nullptr) {
    AddHash(Hash(a));
    return;
  }
  set_.insert(a);
  if (set_.size() > exact_limit_) {
    ToSketch();
  }
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  if (other.sketch_ == nullptr) {
    for (const IpAddress& a : other.set_) {
      Add(a);
    }
    return;
  }
  if (sketch_ == nullptr) {
    ToSketch();
  }
  for (size_t i = 0; i < kRegisters; ++i) {
    (*sketch_)[i] = std::max((*sketch_)[i], (*other.sketch_)[i]);
  }
}

uint64_t DistinctCounter::Count() const {
  if (sketch_ == nullptr) {
    return set_.size();
  }
  // Flajolet et al. 2007, with the small-range correction (linear
  // counting while registers are still empty).
  constexpr double m = static_cast<double>(kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : *sketch_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    zeros += r == 0;
  }
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) {
    estimate = m * std::log(m / static_cast<double>(zeros));
  }
  return static_cast<uint64_t>(std::llround(estimate));
}

}  // namespace tcpstate
