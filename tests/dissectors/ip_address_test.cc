#include "dissectors/ip_address.h"

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

// The reference order: IPv4 before IPv6, then the bytes compared one by
// one (what the word-wise operators must give).
bool ReferenceLess(const IpAddress& a, const IpAddress& b) {
  if (a.is_v6() != b.is_v6()) {
    return !a.is_v6();
  }
  return a.raw() < b.raw();
}

std::vector<IpAddress> Samples() {
  std::vector<IpAddress> out;
  std::mt19937 rng(7);
  // Addresses that differ in one byte, in either half, high or low bits.
  for (int v6 = 0; v6 < 2; ++v6) {
    const int n = v6 ? 16 : 4;
    for (int pos = 0; pos < n; ++pos) {
      for (const uint8_t value : {0x00, 0x01, 0x7F, 0x80, 0xFF}) {
        std::array<uint8_t, 16> b{};
        b[pos] = value;
        out.push_back(IpAddress::FromBytes(absl::MakeConstSpan(b.data(), n)));
      }
    }
    for (int i = 0; i < 40; ++i) {
      std::array<uint8_t, 16> b{};
      for (int k = 0; k < n; ++k) {
        b[k] = static_cast<uint8_t>(rng() % 3 == 0 ? 0 : rng());
      }
      out.push_back(IpAddress::FromBytes(absl::MakeConstSpan(b.data(), n)));
    }
  }
  return out;
}

TEST(IpAddressTest, OrderAndEqualityAreBytewise) {
  const std::vector<IpAddress> all = Samples();
  for (const IpAddress& a : all) {
    for (const IpAddress& b : all) {
      ASSERT_EQ(a < b, ReferenceLess(a, b))
          << a.ToString() << " < " << b.ToString();
      ASSERT_EQ(a == b, a.is_v6() == b.is_v6() && a.raw() == b.raw())
          << a.ToString() << " == " << b.ToString();
      ASSERT_EQ(a != b, !(a == b));
    }
  }
}

TEST(IpAddressTest, Ipv4SortsBeforeIpv6) {
  const IpAddress v4 = IpAddress::V4(0xFFFFFFFF);
  std::array<uint8_t, 16> zero{};
  const IpAddress v6 = IpAddress::FromBytes(zero);
  EXPECT_TRUE(v4 < v6);
  EXPECT_FALSE(v6 < v4);
  EXPECT_FALSE(v4 == v6);
  EXPECT_TRUE(IpAddress::V4(0x0A000001) < IpAddress::V4(0x0A000002));
  EXPECT_TRUE(IpAddress::V4(0x0A0000FF) < IpAddress::V4(0x0B000000));
}

}  // namespace
}  // namespace tcpstate
