// The Analyzer with IP reassembly: a data segment split over fragments is
// analysed once, whole, with the completing fragment's number; one that
// never completes is not analysed at all.

#include <cstdint>
#include <vector>

#include "analyzer/analyzer.h"
#include "gtest/gtest.h"
#include "tests/testing/fragments.h"
#include "tests/testing/packet_builder.h"

namespace tcpstate {
namespace {

using Bytes = std::vector<uint8_t>;

class AnalyzerReassemblyTest : public testing::TestWithParam<bool> {
 protected:
  PacketBuilder Segment(bool client, uint32_t seq, uint32_t ack,
                        uint16_t flags) {
    const bool v6 = GetParam();
    PacketBuilder b;
    b.Link(LinkType::kRaw);
    const char* c = v6 ? "2001:db8::1" : "192.0.2.1";
    const char* s = v6 ? "2001:db8::2" : "192.0.2.2";
    if (v6) {
      b.Ipv6(client ? c : s, client ? s : c);
    } else {
      b.Ipv4(client ? c : s, client ? s : c);
    }
    b.Tcp(client ? 40000 : 80, client ? 80 : 40000).Seq(seq).Ack(ack);
    b.Flags(flags);
    return b;
  }

  void Feed(Analyzer& a, const Bytes& bytes) {
    frames_.push_back(bytes);
    Frame f;
    f.number = frames_.size();
    f.timestamp = absl::FromUnixSeconds(1700000000) +
                  absl::Milliseconds(f.number);
    f.link = LinkType::kRaw;
    f.bytes = frames_.back();
    a.OnFrame(f);
  }

  // Handshake, then 2000 data bytes from the client in 3 fragments, fed in
  // `order` (indexes into the fragments).
  AnalysisResult Run(const AnalyzerOptions& options,
                     const std::vector<int>& order) {
    Analyzer a(options, nullptr);
    Feed(a, Segment(true, 100, 0, TcpFlags::kSyn).IpBytes());
    Feed(a, Segment(false, 500, 101, TcpFlags::kSyn | TcpFlags::kAck)
                .IpBytes());
    Feed(a, Segment(true, 101, 501, TcpFlags::kAck).IpBytes());
    PacketBuilder data = Segment(true, 101, 501, TcpFlags::kAck);
    if (GetParam()) {
      data.Ipv6Fragment(0, false, 0x1234);
    }
    data.PayloadSize(2000);
    const std::vector<Bytes> frags =
        SplitIntoFragments(data, GetParam(), 800);
    for (int i : order) {
      Feed(a, frags[i]);
    }
    Feed(a, Segment(false, 501, 2101, TcpFlags::kAck).IpBytes());
    return a.Finish();
  }

  std::vector<Bytes> frames_;
};

TEST_P(AnalyzerReassemblyTest, FragmentedSegmentIsAnalysedWhole) {
  const AnalysisResult r = Run(AnalyzerOptions(), {2, 0, 1});
  ASSERT_EQ(r.connections.size(), 1u);
  const ConnectionRecord& c = r.connections[0];
  EXPECT_EQ(c.client.payload_bytes, 2000u);
  EXPECT_EQ(c.client.missed_bytes, 0u);
  EXPECT_TRUE(c.anomalies.empty());
  EXPECT_EQ(r.summary.tcp_packets, 5u);
  EXPECT_EQ(r.summary.decode.Get(DecodeCounter::kIpFragmentsReassembled), 1u);
  EXPECT_EQ(r.summary.decode.Get(DecodeCounter::kTcpChecksumUnverified), 0u);
  EXPECT_EQ(c.client.packets, 3u);  // SYN, ACK, the reassembled segment
  EXPECT_EQ(c.last_packet, 7u);
}

TEST_P(AnalyzerReassemblyTest, WithoutReassemblyTheFirstFragmentIsShort) {
  AnalyzerOptions options;
  options.reassembly.enabled = false;
  const AnalysisResult r = Run(options, {2, 0, 1});
  ASSERT_EQ(r.connections.size(), 1u);
  EXPECT_LT(r.connections[0].client.payload_bytes, 2000u);
  EXPECT_EQ(r.summary.decode.Get(DecodeCounter::kIpFragmentsReassembled), 0u);
}

TEST_P(AnalyzerReassemblyTest, IncompleteDatagramIsNeverAnalysed) {
  const AnalysisResult r = Run(AnalyzerOptions(), {0, 2});
  ASSERT_EQ(r.connections.size(), 1u);
  EXPECT_EQ(r.summary.tcp_packets, 4u);  // not the first fragment
  EXPECT_EQ(r.connections[0].client.packets, 2u);
  EXPECT_EQ(r.summary.decode.Get(DecodeCounter::kIpReassemblyUnfinished), 1u);
  EXPECT_EQ(r.summary.decode.Get(DecodeCounter::kTcpChecksumUnverified), 0u);
}

INSTANTIATE_TEST_SUITE_P(Families, AnalyzerReassemblyTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Ipv6" : "Ipv4";
                         });

}  // namespace
}  // namespace tcpstate
