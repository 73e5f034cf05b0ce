#include <string>
#include <vector>

#include "analyzer/anomaly_catalogue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/html_parts.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace html_internal {
namespace {

using testing_results::Count;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The <g class="seg..."> element of `packet`, up to its closing </g>.
std::string SegmentGroup(const std::string& svg, uint64_t packet) {
  const std::string marker =
      "data-packet=\"" + std::to_string(packet) + "\"";
  const size_t at = svg.find(marker);
  if (at == std::string::npos) {
    return "";
  }
  const size_t open = svg.rfind("<g ", at);
  return svg.substr(open, svg.find("</g>", at) + 4 - open);
}

double Attr(const std::string& element, const std::string& name) {
  // Plain string scanning: std::regex trips GCC 12's maybe-uninitialized
  // warning in sanitizer builds.
  const std::string prefix = " " + name + "=\"";
  for (size_t pos = element.find(prefix); pos != std::string::npos;
       pos = element.find(prefix, pos + 1)) {
    const size_t start = pos + prefix.size();
    const size_t end = element.find_first_not_of("-0123456789.", start);
    if (end != std::string::npos && end > start && element[end] == '"') {
      return std::stod(element.substr(start, end - start));
    }
  }
  return -1;
}

// The y of the label text of the state change on `side` at `packet`.
double StateTextY(const std::string& svg, const std::string& side,
                  uint64_t packet, const std::string& state) {
  const std::string marker = "<g class=\"state " + side + "\"><title>" + side +
                             " " + state + " at packet " +
                             std::to_string(packet) + "</title>";
  const size_t at = svg.find(marker);
  if (at == std::string::npos) {
    return -1;
  }
  const size_t text = svg.find("<text", at);
  return Attr(svg.substr(text, svg.find('>', text) - text), "y");
}

ConnectionRecord Connection1() {
  return testing_results::SampleWithLadders().connections[0];
}

TEST(FlagNamesTest, CustomaryOrder) {
  EXPECT_EQ(FlagNames(0x02), "SYN");
  EXPECT_EQ(FlagNames(0x12), "SYN,ACK");
  EXPECT_EQ(FlagNames(0x11), "FIN,ACK");
  EXPECT_EQ(FlagNames(0x18), "PSH,ACK");
  EXPECT_EQ(FlagNames(0x14), "RST,ACK");
  EXPECT_EQ(FlagNames(0x00), "");
  EXPECT_EQ(FlagNames(0xFF), "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR");
}

TEST(AnomalyKindIdsTest, OneIdPerBitInCatalogueOrder) {
  EXPECT_THAT(AnomalyKindIds(0), ElementsAre());
  const uint32_t bits =
      (1u << static_cast<int>(AnomalyKind::kZeroWindow)) |
      (1u << static_cast<int>(AnomalyKind::kRetransmission));
  EXPECT_THAT(AnomalyKindIds(bits), ElementsAre("retransmission", "zero_window"));
}

TEST(LadderSvgTest, OneArrowPerKeptSegment) {
  const std::string svg = LadderSvg(Connection1());
  EXPECT_THAT(svg, HasSubstr("<svg class=\"ladder\" id=\"ladder-1\" "
                             "data-segments=\"9\""));
  EXPECT_EQ(Count(svg, "<g class=\"seg"), 9u);
  for (const uint64_t packet : {1, 2, 3, 4, 8, 9, 10, 11, 12}) {
    EXPECT_THAT(svg, HasSubstr("data-packet=\"" + std::to_string(packet) + "\""));
  }
  EXPECT_THAT(svg, Not(HasSubstr("data-packet=\"5\"")));
}

TEST(LadderSvgTest, LabelsCarryPacketFlagsRelativeNumbersAndLength) {
  const std::string svg = LadderSvg(Connection1());
  EXPECT_THAT(svg, HasSubstr(">#1 SYN seq=0 len=0</text>"));
  EXPECT_THAT(svg, HasSubstr(">#2 SYN,ACK seq=0 ack=1 len=0</text>"));
  EXPECT_THAT(svg, HasSubstr(">#4 PSH,ACK seq=1 ack=1 len=120</text>"));
  EXPECT_THAT(svg, HasSubstr(">#8 FIN,ACK seq=4001 ack=121 len=0</text>"));
  // The tooltip adds the window and the time since the first segment.
  EXPECT_THAT(SegmentGroup(svg, 9),
              HasSubstr("win=64240 at +2.000000 s</title>"));
}

TEST(LadderSvgTest, ArrowsRunBetweenTheLifelinesInTheSendersDirection) {
  const std::string svg = LadderSvg(Connection1());
  const std::string syn = SegmentGroup(svg, 1);
  const std::string synack = SegmentGroup(svg, 2);
  EXPECT_LT(Attr(syn, "x1"), Attr(syn, "x2"));        // client -> server
  EXPECT_GT(Attr(synack, "x1"), Attr(synack, "x2"));  // server -> client
  EXPECT_EQ(Attr(syn, "x1"), Attr(synack, "x2"));
  EXPECT_LT(Attr(syn, "y1"), Attr(synack, "y1"));     // time goes down
}

TEST(LadderSvgTest, AnomalousSegmentsAreHighlightedWithTheirKinds) {
  const std::string svg = LadderSvg(Connection1());
  const std::string retransmitted = SegmentGroup(svg, 10);
  EXPECT_THAT(retransmitted, HasSubstr("class=\"seg anom\""));
  EXPECT_THAT(retransmitted, HasSubstr("<text class=\"kinds\""));
  EXPECT_THAT(retransmitted, HasSubstr(">retransmission</text>"));
  EXPECT_THAT(SegmentGroup(svg, 8), HasSubstr("class=\"seg\""));
  EXPECT_THAT(SegmentGroup(svg, 11), HasSubstr("class=\"seg dup\""));
}

TEST(LadderSvgTest, LostAfterTapStopsShortWithACross) {
  const std::string svg = LadderSvg(Connection1());
  const std::string lost = SegmentGroup(svg, 12);
  const std::string delivered = SegmentGroup(svg, 10);
  EXPECT_THAT(lost, HasSubstr("class=\"seg anom lost\""));
  EXPECT_THAT(lost, HasSubstr("<path class=\"x\""));
  EXPECT_THAT(lost, Not(HasSubstr("<polygon")));
  EXPECT_THAT(delivered, HasSubstr("<polygon"));
  // Both go server -> client; the lost one ends before the client lifeline.
  EXPECT_GT(Attr(lost, "x2"), Attr(delivered, "x2") + 50);
  EXPECT_THAT(lost, HasSubstr("lost after the tap"));
}

TEST(LadderSvgTest, FoldsSayHowManySegmentsWereLeftOut) {
  const std::string svg = LadderSvg(Connection1());
  EXPECT_EQ(Count(svg, "<g class=\"fold\">"), 2u);
  EXPECT_THAT(svg, HasSubstr("\xe2\x8b\xaf 3 segments folded \xe2\x8b\xaf"));
  EXPECT_THAT(svg, HasSubstr("\xe2\x8b\xaf 4 segments folded \xe2\x8b\xaf"));
  // The first fold sits between packet 4 and packet 8.
  const size_t fold = svg.find("<g class=\"fold\">");
  EXPECT_LT(svg.find("data-packet=\"4\""), fold);
  const double fold_y = Attr(svg.substr(fold, 200), "y");
  EXPECT_GT(fold_y, Attr(SegmentGroup(svg, 4), "y1"));
  EXPECT_LT(fold_y, Attr(SegmentGroup(svg, 8), "y1"));
}

TEST(LadderSvgTest, StatesAreWrittenOnTheLifelineWhereTheyChange) {
  const std::string svg = LadderSvg(Connection1());
  EXPECT_EQ(Count(svg, "<g class=\"state client\">"), 3u);
  EXPECT_EQ(Count(svg, "<g class=\"state server\">"), 3u);
  // The client sent the SYN: SYN_SENT at the start of arrow 1 (text baseline
  // 1 px below). The server received the client's ACK (3): ESTABLISHED at
  // that arrow's end. The client got ESTABLISHED by sending packet 3.
  const std::string syn = SegmentGroup(svg, 1);
  const std::string ack = SegmentGroup(svg, 3);
  EXPECT_EQ(StateTextY(svg, "client", 1, "SYN_SENT"), Attr(syn, "y1") + 1);
  EXPECT_EQ(StateTextY(svg, "client", 3, "ESTABLISHED"), Attr(ack, "y1") + 1);
  EXPECT_EQ(StateTextY(svg, "server", 3, "ESTABLISHED"), Attr(ack, "y2") + 1);
  EXPECT_EQ(StateTextY(svg, "server", 8, "FIN_WAIT_1"),
            Attr(SegmentGroup(svg, 8), "y1") + 1);
  EXPECT_THAT(svg, HasSubstr("class=\"st-CLOSE_WAIT\""));
}

TEST(LadderSvgTest, TimerStateChangesGoByTime) {
  // The client's CLOSE_WAIT changed by a timer (packet 0) at +3.05 s:
  // between packet 10 (+3 s) and packet 11 (+3.1 s).
  ConnectionRecord c = Connection1();
  c.client.timeline.push_back(
      {c.first_seen + absl::Seconds(3.05), 0, TcpState::kClosed});
  const std::string svg = LadderSvg(c);
  const double y = StateTextY(svg, "client", 0, "CLOSED");
  EXPECT_GT(y, Attr(SegmentGroup(svg, 10), "y1"));
  EXPECT_LT(y, Attr(SegmentGroup(svg, 11), "y1"));
}

TEST(LadderSvgTest, WithoutALadderOnlyStatesAreDrawn) {
  const ConnectionRecord c = testing_results::Sample().connections[0];
  const std::string svg = LadderSvg(c);
  EXPECT_THAT(svg, HasSubstr("data-segments=\"0\""));
  EXPECT_EQ(Count(svg, "<g class=\"seg"), 0u);
  EXPECT_EQ(Count(svg, "<g class=\"state "), 6u);
  // Stacked one below the other, never on top of each other.
  EXPECT_LT(StateTextY(svg, "client", 1, "SYN_SENT"),
            StateTextY(svg, "client", 3, "ESTABLISHED"));
}

TEST(LadderSvgTest, ShowsBothEndpoints) {
  const std::string svg = LadderSvg(Connection1());
  EXPECT_THAT(svg, HasSubstr(">198.18.0.1:54566</text>"));
  EXPECT_THAT(svg, HasSubstr(">198.18.0.2:8001</text>"));
  EXPECT_EQ(Count(svg, "<line class=\"life\""), 2u);
}

TEST(LadderSvgTest, Deterministic) {
  EXPECT_EQ(LadderSvg(Connection1()), LadderSvg(Connection1()));
}

}  // namespace
}  // namespace html_internal
}  // namespace tcpstate
