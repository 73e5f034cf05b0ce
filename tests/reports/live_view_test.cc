// The live view and the live JSONL events: pure renderings of values.
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/live_events.h"
#include "reports/live_view.h"

namespace tcpstate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1763730000);

ConnectionRef Ref(uint64_t id, uint16_t client_port, TcpState c,
                  TcpState s) {
  ConnectionRef r;
  r.id = id;
  r.client_addr = IpAddress::V4(0xC6120001);  // 198.18.0.1
  r.client_port = client_port;
  r.server_addr = IpAddress::V4(0xC6120002);
  r.server_port = 8000;
  r.client_state = c;
  r.server_state = s;
  return r;
}

LiveViewModel Model() {
  LiveViewModel m;
  m.interface = "veth0";
  m.filter = "tcp port 8000";
  m.now = kNow;
  m.running = absl::Seconds(83);
  m.packets = 1234;
  m.packets_per_second = 56.04;
  m.table.now = kNow;
  m.table.open = 3;
  m.table.created = 7;
  m.table.pairs = {{TcpState::kEstablished, TcpState::kEstablished, 2},
                   {TcpState::kFinWait2, TcpState::kCloseWait, 1}};
  const ConnectionRef leaked =
      Ref(5, 40000, TcpState::kFinWait2, TcpState::kCloseWait);
  m.table.lingering = {{leaked, false, absl::Seconds(75), true},
                       {leaked, true, absl::Milliseconds(4200), false}};
  m.table.lingering_total = 2;
  LiveSnapshot::Active busy;
  busy.connection = Ref(6, 40006, TcpState::kEstablished,
                        TcpState::kEstablished);
  busy.bytes_c2s = 1500;
  busy.bytes_s2c = 12300000;
  busy.rate_c2s = 0;
  busy.rate_s2c = 2.5e6;
  busy.age = absl::Seconds(12);
  LiveSnapshot::Active idle = busy;
  idle.connection = Ref(7, 40007, TcpState::kEstablished,
                        TcpState::kEstablished);
  idle.bytes_s2c = 300;
  idle.rate_s2c = 0;
  m.table.active = {busy, idle};
  m.table.active_total = 2;
  AnomalyEvent e;
  e.connection = leaked;
  e.t = kNow - absl::Seconds(15);
  e.anomaly.kind = "close_wait_stuck";
  e.anomaly.endpoint = "server";
  m.recent = {e};
  return m;
}

TEST(LiveViewTest, ShowsHeaderStatePairsLingeringAndAnomalies) {
  const std::string view = RenderLiveView(Model(), 100, 40);
  EXPECT_THAT(view, HasSubstr("tcpstate live on veth0 (tcp port 8000)"));
  EXPECT_THAT(view, HasSubstr("2025-11-21 13:00:00 UTC"));
  EXPECT_THAT(view, HasSubstr("running 1m23s"));
  EXPECT_THAT(view, HasSubstr("packets 1234 (56.0/s)   dropped 0"));
  EXPECT_THAT(view, HasSubstr("connections open 3, seen 7"));
  EXPECT_THAT(view, HasSubstr("STATES   ESTABLISHED/ESTABLISHED 2  "
                              "FIN_WAIT_2/CLOSE_WAIT 1\n"));
  EXPECT_THAT(view, HasSubstr("q quit, s sort"));
  // The established connections with their rates and bytes each way.
  EXPECT_THAT(view, HasSubstr("ESTABLISHED (by rate, largest first): 2\n"));
  EXPECT_THAT(view, HasSubstr("  C->S RATE   S->C RATE      C->S      S->C "
                              "   AGE  CONNECTION\n"
                              "       0B/s     2.5MB/s     1.5kB    12.3MB  "
                              "12.0s  198.18.0.1:40006 -> 198.18.0.2:8000\n"));
  EXPECT_THAT(view, HasSubstr("      300B  12.0s  198.18.0.1:40007"));
  EXPECT_THAT(view,
              HasSubstr(" 1m15s  server CLOSE_WAIT   198.18.0.1:40000 -> "
                        "198.18.0.2:8000  STUCK\n"));
  EXPECT_THAT(view, HasSubstr("  4.2s  client FIN_WAIT_2   198.18.0.1:40000"));
  EXPECT_THAT(view, HasSubstr("12:59:45  close_wait_stuck  server  "
                              "198.18.0.1:40000 -> 198.18.0.2:8000"));
  EXPECT_THAT(view, Not(HasSubstr("INCOMPLETE")));
}

TEST(LiveViewTest, StuckFirstAndColoursOnlyWhenAsked) {
  const std::string plain = RenderLiveView(Model(), 100, 40);
  EXPECT_THAT(plain, Not(HasSubstr("\x1b")));
  // The stuck server comes before the rest of its list.
  EXPECT_LT(plain.find("STUCK"), plain.find("client FIN_WAIT_2"));
  EXPECT_LT(plain.find("STUCK AND CLOSING"), plain.find("ESTABLISHED (by"));
  LiveViewModel m = Model();
  m.color = true;
  const std::string color = RenderLiveView(m, 100, 40);
  EXPECT_THAT(color, HasSubstr("\x1b[31m 1m15s  server CLOSE_WAIT"));  // red
  EXPECT_THAT(color, HasSubstr("\x1b[1mtcpstate live on"));          // bold
  EXPECT_THAT(color, HasSubstr("\x1b[32m"));  // a connection moving data
  // Colour codes do not count in the width: the same text, cut alike.
  for (size_t width : {30, 60}) {
    std::string stripped = RenderLiveView(m, width, 40);
    for (const char* code : {"\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m",
                             "\x1b[32m", "\x1b[33m"}) {
      stripped = absl::StrReplaceAll(stripped, {{code, ""}});
    }
    LiveViewModel p = Model();
    EXPECT_EQ(stripped, RenderLiveView(p, width, 40));
  }
}

TEST(LiveViewTest, AShortPaneSaysHowManyMore) {
  // Issue 18: "LINGERING: 7" with no rows and no "N more" in a short pane.
  LiveViewModel m = Model();
  for (int i = 0; i < 5; ++i) {
    m.table.lingering.push_back(
        {Ref(10 + i, 41000 + i, TcpState::kTimeWait, TcpState::kClosed), true,
         absl::Seconds(10), false});
    m.table.active.push_back(m.table.active[0]);
  }
  m.table.lingering_total = 7;
  m.table.active_total = 7;
  for (size_t height = 12; height <= 24; ++height) {
    const std::string view = RenderLiveView(m, 100, height);
    const std::vector<std::string> lines =
        absl::StrSplit(view, '\n', absl::SkipEmpty());
    ASSERT_FALSE(lines.empty());
    size_t listed = 0;
    size_t more = 0;
    for (const std::string& line : lines) {
      listed += line.find("198.18.0.1:4") != std::string::npos &&
                line.find("close_wait_stuck") == std::string::npos;
      if (line.rfind("  ... ", 0) == 0) {
        more += std::stoul(line.substr(6));
      }
      const size_t hidden = line.find("   (");
      if (hidden != std::string::npos &&
          line.find("not shown: the pane is too short)") != std::string::npos) {
        more += std::stoul(line.substr(hidden + 4));
      }
    }
    // Every connection is a row or counted in a "... N more" line.
    EXPECT_EQ(listed + more, 14u) << view;
    EXPECT_THAT(view, HasSubstr("STUCK")) << view;
  }
}

TEST(LiveViewTest, HumanBytesAndRates) {
  EXPECT_EQ(HumanBytes(0), "0B");
  EXPECT_EQ(HumanBytes(999), "999B");
  EXPECT_EQ(HumanBytes(1500), "1.5kB");
  EXPECT_EQ(HumanBytes(12.3e6), "12.3MB");
  EXPECT_EQ(HumanBytes(2e15), "2000.0TB");
  EXPECT_EQ(HumanRate(2.5e6), "2.5MB/s");
  EXPECT_EQ(HumanRate(-1), "0B/s");
}

TEST(LiveViewTest, DropsMarkTheRunIncomplete) {
  LiveViewModel m = Model();
  m.dropped = 12;
  EXPECT_THAT(RenderLiveView(m, 100, 40), HasSubstr("dropped 12 (INCOMPLETE)"));
}

TEST(LiveViewTest, FitsTheTerminal) {
  LiveViewModel m = Model();
  for (int i = 0; i < 100; ++i) {
    m.table.lingering.push_back(
        {Ref(10 + i, 41000 + i, TcpState::kTimeWait, TcpState::kClosed), true,
         absl::Seconds(10), false});
  }
  m.table.lingering_total = m.table.lingering.size();
  const std::string view = RenderLiveView(m, 50, 24);
  const std::vector<std::string> lines =
      absl::StrSplit(view, '\n', absl::SkipEmpty());
  EXPECT_LE(view.size() - absl::StrReplaceAll(view, {{"\n", ""}}).size(), 24u);
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 50u) << line;
  }
  EXPECT_THAT(view, HasSubstr(" more\n")) << view;
  // The anomalies keep their place below the cut list.
  EXPECT_THAT(view, HasSubstr("RECENT ANOMALIES"));
}

TEST(LiveViewTest, EmptyTable) {
  LiveViewModel m;
  m.interface = "any";
  m.now = kNow;
  const std::string view = RenderLiveView(m, 80, 24);
  EXPECT_THAT(view, HasSubstr("tcpstate live on any   "));
  EXPECT_THAT(view, HasSubstr("(no open connections)"));
  EXPECT_THAT(view, HasSubstr("(none)"));
}

TEST(LiveViewTest, InterfaceAndFilterAreTerminalSafe) {
  LiveViewModel m = Model();
  m.filter = "tcp\x1b[2J";
  EXPECT_THAT(RenderLiveView(m, 100, 40), Not(HasSubstr("\x1b")));
}

TEST(LiveViewTest, FormatAge) {
  EXPECT_EQ(FormatAge(absl::Milliseconds(4200)), "4.2s");
  EXPECT_EQ(FormatAge(absl::Seconds(185)), "3m05s");
  EXPECT_EQ(FormatAge(absl::Minutes(123)), "2h03m");
  EXPECT_EQ(FormatAge(absl::Hours(50)), "2d02h");
}

TEST(LiveEventsTest, StateEventLine) {
  StateChangeEvent e;
  e.connection = Ref(3, 40000, TcpState::kFinWait1, TcpState::kEstablished);
  e.t = kNow + absl::Milliseconds(250);
  e.packet = 17;
  e.client = true;
  e.from = TcpState::kEstablished;
  e.to = TcpState::kFinWait1;
  EXPECT_EQ(RenderJsonlStateEvent(e),
            "{\"type\":\"state\",\"time\":1763730000.250000,\"connection\":3,"
            "\"client\":\"198.18.0.1:40000\",\"server\":\"198.18.0.2:8000\","
            "\"client_state\":\"FIN_WAIT_1\",\"server_state\":\"ESTABLISHED\","
            "\"endpoint\":\"client\",\"from\":\"ESTABLISHED\",\"to\":"
            "\"FIN_WAIT_1\",\"packet\":17}\n");
  e.packet = 0;  // a timer
  EXPECT_THAT(RenderJsonlStateEvent(e), HasSubstr("\"packet\":null}"));
}

TEST(LiveEventsTest, AnomalyEventLine) {
  AnomalyEvent e;
  e.connection = Ref(3, 40000, TcpState::kFinWait2, TcpState::kCloseWait);
  e.t = kNow;
  e.anomaly.kind = "close_wait_stuck";
  e.anomaly.severity = Severity::kError;
  e.anomaly.endpoint = "server";
  e.anomaly.first_packet = 5;
  e.anomaly.last_packet = 5;
  e.anomaly.t = kNow - absl::Seconds(3);
  e.anomaly.duration = absl::Seconds(3);
  e.anomaly.count = 1;
  e.anomaly.packets = {4, 5};
  e.anomaly.detail = "stuck";
  EXPECT_EQ(RenderJsonlAnomalyEvent(e),
            "{\"type\":\"anomaly\",\"time\":1763730000.000000,"
            "\"connection\":3,\"client\":\"198.18.0.1:40000\",\"server\":"
            "\"198.18.0.2:8000\",\"client_state\":\"FIN_WAIT_2\","
            "\"server_state\":\"CLOSE_WAIT\",\"kind\":\"close_wait_stuck\","
            "\"severity\":\"error\",\"endpoint\":\"server\",\"first_packet\":5,"
            "\"last_packet\":5,\"t\":1763729997.000000,\"duration\":3.000000,"
            "\"count\":1,\"packets\":[4,5],\"detail\":\"stuck\"}\n");
}

}  // namespace
}  // namespace tcpstate
