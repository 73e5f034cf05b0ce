#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "dissectors/ip_address.h"

namespace tcpstate {

// Counts distinct addresses in bounded memory: exactly up to `exact_limit`
// of them, then with a HyperLogLog sketch (1,024 one-byte registers: a
// standard error of 1.04 / sqrt(1024), 3.25%) in place of the set. The hash is fixed
// (not Abseil's per-process seed), so estimates are the same in every run.
// Counters merge: the union of what each saw.
class DistinctCounter {
 public:
  static constexpr size_t kRegisters = 1024;

  explicit DistinctCounter(size_t exact_limit) : exact_limit_(exact_limit) {}
  DistinctCounter(const DistinctCounter& other);
  DistinctCounter& operator=(const DistinctCounter& other);
  DistinctCounter(DistinctCounter&&) = default;
  DistinctCounter& operator=(DistinctCounter&&) = default;

  void Add(const IpAddress& a);
  void Merge(const DistinctCounter& other);

  // The count: exact while exact() is true, else the sketch's estimate.
  uint64_t Count() const;
  bool exact() const { return sketch_ == nullptr; }

 private:
  using Sketch = std::array<uint8_t, kRegisters>;
  static uint64_t Hash(const IpAddress& a);
  void AddHash(uint64_t h);
  void ToSketch();

  size_t exact_limit_;
  absl::flat_hash_set<IpAddress> set_;  // while exact
  std::unique_ptr<Sketch> sketch_;
};

}  // namespace tcpstate
