#pragma once

#include <cstdint>

namespace tcpstate {

// MurmurHash3's 64-bit finalizer: every input bit affects every output
// bit. Fixed, unlike Abseil's per-process hash seed, so what is built on
// it (the shard of a flow, the frames' digest of a part, the distinct
// counter's sketch) is the same in every run and on every machine.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace tcpstate
