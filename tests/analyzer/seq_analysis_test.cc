// Scripted segment sequences through the data-transfer classifier: each
// step states exactly which kinds it must get (Wireshark's tcp.analysis
// rules, with the precedence keep-alive > spurious > fast retransmission >
// out-of-order > retransmission).
#include "analyzer/seq_analysis.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/analyzer/segment_testutil.h"

namespace tcpstate {
namespace {

constexpr uint16_t kSyn = TcpFlags::kSyn, kAck = TcpFlags::kAck,
                   kFin = TcpFlags::kFin, kRst = TcpFlags::kRst,
                   kPsh = TcpFlags::kPsh;
using K = AnomalyKind;

// One segment of a script. Sequence and ACK numbers are relative to the
// sender's and the receiver's ISN (0 = the SYN itself).
struct Step {
  bool from_client;
  uint16_t flags;
  uint32_t rseq;
  uint32_t rack;
  uint32_t len = 0;
  int64_t at_us = 0;  // capture time, microseconds
  std::vector<K> want = {};
  uint16_t window = 1000;
  int wscale = -1;  // window scale option on a SYN; -1 = none
};

struct Case {
  std::string name;
  std::vector<Step> steps;
  uint32_t c_isn = 1000;
  uint32_t s_isn = 5000;
};

std::string Names(AnomalyKindSet kinds) {
  std::vector<std::string> names;
  for (size_t k = 0; k < kNumAnomalyKinds; ++k) {
    if ((kinds & Bit(static_cast<K>(k))) != 0) {
      names.push_back(InfoOf(static_cast<K>(k)).id);
    }
  }
  return names.empty() ? "(none)" : absl::StrJoin(names, ",");
}

TestPeers Peers(bool v6) {
  TestPeers p;
  if (v6) {
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                     0,    0,    0,    0,    0, 0, 0, 1};
    p.client = IpAddress::FromBytes(a);
    a[15] = 2;
    p.server = IpAddress::FromBytes(a);
  } else {
    p.client = IpAddress::V4(0xC6120001);
    p.server = IpAddress::V4(0xC6120002);
  }
  return p;
}

// Runs the script; returns one line per step whose kinds differ.
std::string RunScript(const Case& c, bool v6) {
  const TestPeers peers = Peers(v6);
  FlowDirection client, server;
  std::string errors;
  uint16_t ip_id = 1;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const Step& s = c.steps[i];
    const uint32_t own = s.from_client ? c.c_isn : c.s_isn;
    const uint32_t peer = s.from_client ? c.s_isn : c.c_isn;
    TcpSegment seg = MakeSegment(peers, s.from_client, s.flags, own + s.rseq,
                                 (s.flags & kAck) != 0 ? peer + s.rack : 0,
                                 s.len, v6 ? 0 : ip_id++);
    seg.window = s.window;
    if (s.wscale >= 0) {
      seg.options.window_scale = static_cast<uint8_t>(s.wscale);
    }
    const absl::Time t = absl::FromUnixMicros(1700000000000000 + s.at_us);
    const AnomalyKindSet got = s.from_client
                                   ? ClassifySegment(seg, t, client, server)
                                   : ClassifySegment(seg, t, server, client);
    AnomalyKindSet want = 0;
    for (K k : s.want) {
      want |= Bit(k);
    }
    if (got != want) {
      absl::StrAppend(&errors, "step ", i + 1, ": want ", Names(want), ", got ",
                      Names(got), "\n");
    }
  }
  return errors;
}

// Handshake at t = 0, 100 us, 200 us (iRTT 200 us): both offer scale 7
// unless told otherwise.
std::vector<Step> Handshake(int c_ws = 7, int s_ws = 7) {
  return {{true, kSyn, 0, 0, 0, 0, {}, 1000, c_ws},
          {false, kSyn | kAck, 0, 1, 0, 100, {}, 1000, s_ws},
          {true, kAck, 1, 1, 0, 200}};
}

std::vector<Step> Concat(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<Case> Cases() {
  const std::vector<Step> hs = Handshake();
  return {
      {"clean transfer", Concat(hs, {{true, kAck | kPsh, 1, 1, 100, 1000},
                                     {false, kAck, 1, 101, 0, 1100},
                                     {false, kAck | kPsh, 1, 101, 50, 1200},
                                     {true, kAck, 101, 51, 0, 1300},
                                     {true, kFin | kAck, 101, 51, 0, 2000},
                                     {false, kFin | kAck, 51, 102, 0, 2100},
                                     {true, kAck, 102, 52, 0, 2200}})},
      {"loss after the tap: retransmission after an RTO",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 101, 1, 100, 1010},
                   {false, kAck, 1, 101, 0, 1100},
                   {true, kAck, 101, 1, 100, 300000, {K::kRetransmission}}})},
      {"loss before the tap: gap, then the filler after the iRTT",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 201, 1, 100, 1010, {K::kLostSegment}},
                   {false, kAck, 1, 101, 0, 1100},
                   {false, kAck, 1, 101, 0, 1110, {K::kDuplicateAck}},
                   {true, kAck, 101, 1, 100, 200000, {K::kRetransmission}}})},
      {"filler within the iRTT of the highest segment is out-of-order",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 201, 1, 100, 1010, {K::kLostSegment}},
                   {true, kAck, 101, 1, 100, 1150, {K::kOutOfOrder}}})},
      {"resending the highest segment at once is no out-of-order",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 101, 1, 100, 1010},
                   {true, kAck, 101, 1, 100, 1020, {K::kRetransmission}}})},
      {"no handshake: the out-of-order window is 3 ms",
       {{true, kAck, 1, 1, 100, 0},
        {true, kAck, 201, 1, 100, 10, {K::kLostSegment}},
        {true, kAck, 101, 1, 100, 2900, {K::kOutOfOrder}},
        {true, kAck, 301, 1, 100, 3000},
        {true, kAck, 401, 1, 100, 3010},
        {true, kAck, 101, 1, 100, 7000, {K::kRetransmission}}}},
      {"fast retransmission after two duplicate ACKs",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 101, 1, 100, 1001},
                   {true, kAck, 201, 1, 100, 1002},
                   {false, kAck, 1, 101, 0, 2000},
                   {false, kAck, 1, 101, 0, 2001, {K::kDuplicateAck}},
                   {false, kAck, 1, 101, 0, 2002, {K::kDuplicateAck}},
                   {true, kAck, 101, 1, 100, 5000, {K::kFastRetransmission}}})},
      {"one duplicate ACK is not enough for a fast retransmission",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 101, 1, 100, 1001},
                   {false, kAck, 1, 101, 0, 2000},
                   {false, kAck, 1, 101, 0, 2001, {K::kDuplicateAck}},
                   {true, kAck, 101, 1, 100, 5000, {K::kRetransmission}}})},
      {"fast retransmission window is 20 ms after the last reverse ACK",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {true, kAck, 101, 1, 100, 1001},
                   {false, kAck, 1, 101, 0, 2000},
                   {false, kAck, 1, 101, 0, 2001, {K::kDuplicateAck}},
                   {false, kAck, 1, 101, 0, 2002, {K::kDuplicateAck}},
                   {true, kAck, 101, 1, 100, 22002, {K::kRetransmission}}})},
      {"spurious: the receiver had ACKed it; wins over fast retransmission",
       Concat(hs,
              {{true, kAck, 1, 1, 100, 1000},
               {true, kAck, 101, 1, 100, 1001},
               {false, kAck, 1, 101, 0, 2000},
               {false, kAck, 1, 101, 0, 2001, {K::kDuplicateAck}},
               {false, kAck, 1, 101, 0, 2002, {K::kDuplicateAck}},
               {true, kAck, 1, 1, 100, 2100, {K::kSpuriousRetransmission}}})},
      {"duplicate ACK needs same window, no data, no SYN/FIN/RST",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {false, kAck, 1, 101, 0, 1100},
                   {false, kAck, 1, 101, 0, 1200, {}, 2000},
                   {false, kAck, 1, 101, 0, 1300, {K::kDuplicateAck}, 2000},
                   {false, kAck | kFin, 1, 101, 0, 1400, {}, 2000},
                   {false, kAck, 2, 101, 0, 1500, {K::kDuplicateAck}, 2000},
                   {true, kAck, 101, 2, 0, 1600},
                   {false, kAck, 2, 101, 0, 1700, {K::kZeroWindow}, 0}})},
      {"keep-alives are never retransmissions; their ACK is no dup ACK",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {false, kAck, 1, 101, 0, 1100},
                   {true, kAck, 100, 1, 0, 7200000, {K::kKeepalive}},
                   {false, kAck, 1, 101, 0, 7200100},
                   {true, kAck, 100, 1, 1, 7275000, {K::kKeepalive}},
                   {false, kAck, 1, 101, 0, 7275100},
                   {false, kAck, 1, 101, 0, 7275200},
                   {true, kAck, 101, 1, 0, 7275300, {K::kDuplicateAck}},
                   {false, kAck, 1, 101, 0, 7275400, {K::kDuplicateAck}}})},
      {"a keep-alive-shaped FIN or RST is not a keep-alive",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {false, kAck, 1, 101, 0, 1100},
                   {true, kAck | kFin, 100, 1, 0, 900000, {K::kRetransmission}},
                   {true, kRst, 100, 1, 0, 900100}})},
      {"zero window, Wireshark-style 1-byte probes, window update",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {false, kAck, 1, 101, 0, 1100, {K::kZeroWindow}, 0},
                   {true, kAck, 101, 1, 1, 300000, {K::kZeroWindowProbe}},
                   {false, kAck, 1, 101, 0, 300100, {K::kZeroWindow}, 0},
                   {true, kAck, 101, 1, 1, 900000, {K::kZeroWindowProbe}},
                   {false, kAck, 1, 102, 0, 900100, {}, 500},
                   // The probe byte was taken: data resumes one byte on.
                   {true, kAck, 102, 1, 100, 900200}})},
      {"Linux probes a zero window in the keep-alive form",
       Concat(hs, {{true, kAck, 1, 1, 100, 1000},
                   {false, kAck, 1, 101, 0, 1100, {K::kZeroWindow}, 0},
                   {true, kAck, 100, 1, 0, 200000, {K::kZeroWindowProbe}},
                   {false, kAck, 1, 101, 0, 200100, {K::kZeroWindow}, 0},
                   {false, kAck, 1, 101, 0, 400000, {}, 800},
                   {true, kAck, 100, 1, 0, 7200000, {K::kKeepalive}}})},
      {"window full: scaled window reached exactly",
       Concat(hs, {{false, kAck, 1, 1, 0, 500, {}, 2},  // 2 << 7 = 256
                   {true, kAck, 1, 1, 200, 1000},
                   {true, kAck, 201, 1, 56, 1001, {K::kWindowFull}}})},
      {"window full: no scaling when one SYN had no option",
       Concat(Handshake(7, -1),
              {{false, kAck, 1, 1, 0, 500, {}, 256},
               {true, kAck, 1, 1, 256, 1000, {K::kWindowFull}}})},
      {"window full: unknown scale (no handshake) is skipped",
       {{false, kAck, 1, 1, 0, 0, {}, 256},
        {true, kAck, 1, 1, 256, 1000},
        {false, kAck, 1, 257, 0, 2000, {}, 1},
        {true, kAck, 257, 1, 1, 3000}}},
      {"SYN and FIN retransmissions",
       {{true, kSyn, 0, 0, 0, 0},
        {true, kSyn, 0, 0, 0, 1000000, {K::kRetransmission}},
        {false, kSyn | kAck, 0, 1, 0, 1000100},
        {false, kSyn | kAck, 0, 1, 0, 2000100, {K::kRetransmission}},
        {true, kAck, 1, 1, 0, 2000200},
        {true, kFin | kAck, 1, 1, 0, 3000000},
        {true, kFin | kAck, 1, 1, 0, 3300000, {K::kRetransmission}}}},
      {"simultaneous open: the SYN-ACK answers, it does not resend",
       {{true, kSyn, 0, 0, 0, 0},
        {false, kSyn, 0, 0, 0, 10},
        {true, kSyn | kAck, 0, 1, 0, 100},
        {false, kSyn | kAck, 0, 1, 0, 110},
        {true, kSyn | kAck, 0, 1, 0, 1000100, {K::kRetransmission}}}},
      {"a SYN with a new ISN starts a new sequence space",
       {{false, kAck, 1, 1, 0, 0},
        {false, kSyn, 900000, 0, 0, 100},
        {false, kAck, 900001, 1, 0, 200}}},
      {"RST beyond the next sequence number is no lost segment",
       Concat(hs,
              {{true, kAck, 1, 1, 100, 1000}, {true, kRst, 5000, 0, 0, 2000}})},
      {"sequence wraparound",
       Concat(hs,
              {{true, kAck, 1, 1, 100, 1000},
               {true, kAck, 101, 1, 100, 1001},
               {true, kAck, 201, 1, 100, 1002},
               {false, kAck, 1, 301, 0, 1100},
               {true, kAck, 201, 1, 100, 400000, {K::kSpuriousRetransmission}},
               {true, kAck, 301, 1, 100, 400001},
               {true, kAck, 301, 1, 100, 800000, {K::kRetransmission}}}),
       0xFFFFFF00u, 0xFFFFFFF0u},
  };
}

class SeqAnalysisTest : public ::testing::TestWithParam<bool> {};

TEST_P(SeqAnalysisTest, Scripts) {
  for (const Case& c : Cases()) {
    EXPECT_EQ(RunScript(c, GetParam()), "") << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(IpVersions, SeqAnalysisTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "IPv6" : "IPv4";
                         });

// The classifier must notice when a rule is broken: a script with a wrong
// expectation fails.
TEST(SeqAnalysisTest, WrongExpectationIsReported) {
  Case c{"wrong", Concat(Handshake(), {{true, kAck, 1, 1, 100, 1000},
                                       {true, kAck, 1, 1, 100, 900000}})};
  EXPECT_EQ(RunScript(c, false), "step 5: want (none), got retransmission\n");
}

// Kept for every endpoint of every open connection.
TEST(SeqAnalysisTest, FlowDirectionStaysSmall) {
  EXPECT_LE(sizeof(FlowDirection), 48u);  // flags in bits
}

}  // namespace
}  // namespace tcpstate
