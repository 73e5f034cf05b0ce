#include "analyzer/capture/block_guard.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

using Bytes = std::vector<uint8_t>;

void Put32(Bytes& b, uint32_t v, bool big_endian = false) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big_endian ? 24 - 8 * i : 8 * i;
    b.push_back(static_cast<uint8_t>(v >> shift));
  }
}

Bytes PcapHeader(uint32_t magic = 0xA1B2C3D4, bool big_endian = false) {
  Bytes b;
  Put32(b, magic, big_endian);
  for (int i = 0; i < 4; ++i) {
    Put32(b, i == 3 ? 65535 : 0, big_endian);  // version, zone, sigfigs, snap
  }
  Put32(b, 1, big_endian);  // Ethernet
  return b;
}

void AddRecord(Bytes& b, uint32_t caplen, size_t body, bool be = false) {
  Put32(b, 1, be);
  Put32(b, 0, be);
  Put32(b, caplen, be);
  Put32(b, caplen, be);
  b.insert(b.end(), body, 0xAB);
}

// A pcapng block: type, total length, `body` bytes, length again.
void AddBlock(Bytes& b, uint32_t type, uint32_t length, size_t body,
              bool big_endian = false) {
  Put32(b, type, big_endian);
  Put32(b, length, big_endian);
  b.insert(b.end(), body, 0);
  Put32(b, length, big_endian);
}

void AddShb(Bytes& b, uint32_t length = 28, bool big_endian = false) {
  Put32(b, 0x0A0D0D0A, big_endian);
  Put32(b, length, big_endian);
  Put32(b, 0x1A2B3C4D, big_endian);
  Put32(b, 0x00000001, big_endian);  // version 1.0
  Put32(b, 0xFFFFFFFF, big_endian);  // section length unknown (8 bytes)
  Put32(b, 0xFFFFFFFF, big_endian);
  Put32(b, length, big_endian);
}

struct Case {
  const char* name;
  Bytes data;
  bool trips;
  uint64_t offset;    // where the held-back unit starts
  uint64_t declared;  // what it declares
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  {
    Bytes b = PcapHeader();
    AddRecord(b, 60, 60);
    AddRecord(b, BlockGuard::kMaxBlockBytes, 100);  // at the limit: passes
    cases.push_back({"pcap_within_limit", b, false, 0, 0});
  }
  {
    Bytes b = PcapHeader();
    AddRecord(b, 60, 60);
    const uint64_t at = b.size();
    AddRecord(b, BlockGuard::kMaxBlockBytes + 1, 10);
    cases.push_back({"pcap_caplen_over", b, true, at,
                     BlockGuard::kMaxBlockBytes + 1});
  }
  {
    Bytes b = PcapHeader(0xA1B2C3D4, /*big_endian=*/true);
    AddRecord(b, 60, 60, true);
    const uint64_t at = b.size();
    AddRecord(b, 0x7FFFFFFF, 10, true);
    cases.push_back({"pcap_big_endian", b, true, at, 0x7FFFFFFF});
  }
  {
    Bytes b = PcapHeader(0xA1B23C4D);  // nanosecond magic
    const uint64_t at = b.size();
    AddRecord(b, 1u << 20, 0);
    cases.push_back({"pcap_nanosecond", b, true, at, 1u << 20});
  }
  {
    Bytes b;
    AddShb(b, 16 << 20);  // the 68-byte file that claims 16 MiB
    b.resize(68, 0);
    cases.push_back({"pcapng_huge_section_header", b, true, 0, 16u << 20});
  }
  {
    Bytes b;
    AddShb(b);
    AddBlock(b, 1, 20, 8);  // interface description
    AddBlock(b, 6, 92, 80);
    const uint64_t at = b.size();
    AddBlock(b, 6, (16u << 20) - 4, 40);
    cases.push_back({"pcapng_huge_packet_block", b, true, at,
                     (16u << 20) - 4});
  }
  {
    Bytes b;
    AddShb(b, 28, /*big_endian=*/true);
    AddBlock(b, 1, 20, 8, true);
    const uint64_t at = b.size();
    AddBlock(b, 6, 300000, 8, true);
    cases.push_back({"pcapng_big_endian", b, true, at, 300000});
  }
  {
    Bytes b;
    AddShb(b);
    AddBlock(b, 6, BlockGuard::kMaxBlockBytes, 100);
    cases.push_back({"pcapng_within_limit", b, false, 0, 0});
  }
  {
    Bytes b = {'n', 'o', 't', ' ', 'a', ' ', 'c', 'a', 'p', 't', 'u', 'r',
               'e'};
    cases.push_back({"unknown_format_passes", b, false, 0, 0});
  }
  return cases;
}

// Feeds `data` in chunks of `chunk` bytes; returns the bytes admitted.
uint64_t FeedInChunks(BlockGuard& guard, const Bytes& data, size_t chunk) {
  uint64_t admitted = 0;
  for (size_t at = 0; at < data.size(); at += chunk) {
    const size_t n = std::min(chunk, data.size() - at);
    const size_t got = guard.Admit(data.data() + at, n);
    admitted += got;
    if (got < n) {
      EXPECT_EQ(guard.Admit(data.data() + at + got, n - got), 0u);
      break;
    }
  }
  return admitted;
}

TEST(BlockGuardTest, HoldsBackOversizedUnitsWhateverTheChunking) {
  for (const Case& c : Cases()) {
    for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}, size_t{65536}}) {
      SCOPED_TRACE(std::string(c.name) + " chunk " + std::to_string(chunk));
      BlockGuard guard;
      const uint64_t admitted = FeedInChunks(guard, c.data, chunk);
      EXPECT_EQ(guard.tripped(), c.trips);
      if (c.trips) {
        EXPECT_EQ(guard.offset(), c.offset);
        EXPECT_EQ(guard.declared(), c.declared);
        // Everything before the held-back unit reaches libpcap (chunks
        // that end inside its header pass their first bytes).
        EXPECT_GE(admitted, c.offset);
        EXPECT_LT(admitted, c.offset + 24);
      } else {
        EXPECT_EQ(admitted, c.data.size());
      }
    }
  }
}

TEST(BlockGuardTest, DescribesWhatWasHeldBack) {
  Bytes b;
  AddShb(b, 16 << 20);
  BlockGuard guard;
  EXPECT_EQ(guard.Admit(b.data(), b.size()), 0u);
  EXPECT_EQ(guard.Describe(),
            "pcapng block declares 16777216 bytes, over tcpstate's limit of "
            "262144");
  Bytes p = PcapHeader();
  AddRecord(p, 300000, 0);
  BlockGuard pcap_guard;
  EXPECT_EQ(pcap_guard.Admit(p.data(), p.size()), 24u);
  EXPECT_EQ(pcap_guard.Describe(),
            "record declares 300000 bytes, over tcpstate's limit of 262144");
}

}  // namespace
}  // namespace tcpstate
