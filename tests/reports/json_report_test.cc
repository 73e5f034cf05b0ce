#include "reports/json_report.h"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "reports/escape.h"
#include "tests/reports/json_testutil.h"
#include "tests/reports/result_testutil.h"

namespace tcpstate {
namespace {

using testing_json::JsonValue;
using testing_json::ParseJson;

JsonValue MustParse(const std::string& text) {
  absl::StatusOr<JsonValue> v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << text;
  return v.ok() ? *v : JsonValue();
}

struct GoldenCase {
  const char* name;
  AnalysisResult (*make)();
};

class JsonGoldenTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(JsonGoldenTest, MatchesGoldenFile) {
  const std::string actual = RenderJson(GetParam().make());
  EXPECT_EQ(testing_results::WithoutZeroDecodeCounters(actual),
            testing_results::WithoutZeroDecodeCounters(testing_results::Golden(
                std::string(GetParam().name) + ".json", actual)));
}

TEST_P(JsonGoldenTest, IsStrictJsonWithFixedTopLevelKeys) {
  const JsonValue doc = MustParse(RenderJson(GetParam().make()));
  const std::vector<std::string> keys = {
      "tcpstate_version", "inputs", "summary", "connections", "hosts",
      "anomalies",        "error"};
  EXPECT_EQ(doc.Keys(), keys);
}

TEST_P(JsonGoldenTest, RenderingTwiceIsIdentical) {
  EXPECT_EQ(RenderJson(GetParam().make()), RenderJson(GetParam().make()));
}

// The command line renders each connection when it finishes (in any
// order) and writes the document from those texts: byte for byte the
// document rendered from the whole result.
TEST_P(JsonGoldenTest, ConnectionsRenderedApartGiveTheSameDocument) {
  const AnalysisResult result = GetParam().make();
  std::map<uint64_t, std::string> texts;
  for (auto it = result.connections.rbegin(); it != result.connections.rend();
       ++it) {
    AppendJsonDocumentConnection(*it, &texts[it->id]);
  }
  AnalysisResult without = result;
  without.connections.clear();  // only `connections` may be read
  JsonConnections source;
  source.count = texts.size();
  source.text = [&](uint64_t index, std::string* out) {
    auto it = texts.begin();
    std::advance(it, static_cast<long>(index));
    *out += it->second;
    return true;
  };
  std::ostringstream os;
  EXPECT_TRUE(WriteJson(without, ConnectionTally::Of(result.connections),
                        source, os));
  EXPECT_EQ(os.str(), RenderJson(result));
}

TEST(JsonReportTest, AConnectionThatCannotBeHadCutsTheDocumentShort) {
  const AnalysisResult result = testing_results::Sample();
  ASSERT_GE(result.connections.size(), 2u);
  JsonConnections source;
  source.count = result.connections.size();
  source.text = [&](uint64_t index, std::string* out) {
    if (index == 1) {
      return false;
    }
    AppendJsonDocumentConnection(result.connections[index], out);
    return true;
  };
  std::ostringstream os;
  EXPECT_FALSE(WriteJson(result, ConnectionTally::Of(result.connections),
                         source, os));
  const JsonValue doc = MustParse(os.str());  // still one valid document
  EXPECT_EQ(doc.Keys().size(), 7u);
}

INSTANTIATE_TEST_SUITE_P(
    Results, JsonGoldenTest,
    testing::Values(GoldenCase{"sample", testing_results::Sample},
                    GoldenCase{"empty", testing_results::Empty},
                    GoldenCase{"damaged", testing_results::Damaged}),
    [](const testing::TestParamInfo<GoldenCase>& info) {
      return std::string(info.param.name);
    });

TEST(JsonReportTest, ConnectionFieldsAndParity) {
  const JsonValue doc = MustParse(RenderJson(testing_results::Sample()));
  const JsonValue& conns = *doc.Find("connections");
  ASSERT_EQ(conns.items.size(), 2u);
  const JsonValue& v4 = conns.items[0];
  const JsonValue& v6 = conns.items[1];
  // IPv4 and IPv6 connections carry the same keys.
  EXPECT_EQ(v4.Keys(), v6.Keys());
  EXPECT_EQ(v4.Find("client")->Keys(), v6.Find("server")->Keys());
  EXPECT_EQ(v4.Find("client")->Find("addr")->text, "198.18.0.1");
  EXPECT_EQ(v6.Find("client")->Find("addr")->text, "2001:db8::1");
  EXPECT_EQ(v6.Find("server")->Find("isn")->type, JsonValue::Type::kNull);
  EXPECT_EQ(v4.Find("server")->Find("isn")->text, "4000000000");
  EXPECT_EQ(v4.Find("duration")->text, "12.500000");
  EXPECT_EQ(v4.Find("first_seen")->text, "1700000000.250000");
  EXPECT_TRUE(v6.Find("mid_stream")->boolean);
  EXPECT_FALSE(v4.Find("mid_stream")->boolean);
  const JsonValue& options = *v4.Find("server")->Find("options");
  EXPECT_EQ(options.Find("mss")->text, "1400");
  EXPECT_EQ(options.Find("window_scale")->type, JsonValue::Type::kNull);
  EXPECT_TRUE(options.Find("tfo")->boolean);
}

TEST(JsonReportTest, SummaryCountsAndOrder) {
  const JsonValue doc = MustParse(RenderJson(testing_results::Sample()));
  const JsonValue& summary = *doc.Find("summary");
  const std::vector<std::string> keys = {"packets",
                                         "bytes",
                                         "tcp_packets",
                                         "connections",
                                         "connections_finished",
                                         "connections_evicted",
                                         "connections_open_at_end",
                                         "max_connections",
                                         "timestamps_backwards",
                                         "first_packet_time",
                                         "last_packet_time",
                                         "duration",
                                         "state_pairs",
                                         "conn_states",
                                         "decode_counters"};
  EXPECT_EQ(summary.Keys(), keys);
  const JsonValue& counters = *summary.Find("decode_counters");
  EXPECT_EQ(counters.members.size(), kNumDecodeCounters);
  EXPECT_EQ(counters.Find("non_ip")->text, "2");
  EXPECT_EQ(counters.Find("tcp_bad_checksum")->text, "1");
  for (size_t i = 1; i < counters.members.size(); ++i) {
    EXPECT_LT(counters.members[i - 1].first, counters.members[i].first);
  }
  EXPECT_EQ(summary.Find("state_pairs")->items.size(), 2u);
}

TEST(JsonReportTest, EmptyResultHasNullTimes) {
  const JsonValue doc = MustParse(RenderJson(testing_results::Empty()));
  const JsonValue& summary = *doc.Find("summary");
  EXPECT_EQ(summary.Find("first_packet_time")->type, JsonValue::Type::kNull);
  EXPECT_EQ(summary.Find("last_packet_time")->type, JsonValue::Type::kNull);
  EXPECT_EQ(summary.Find("duration")->text, "0.000000");
  EXPECT_TRUE(doc.Find("connections")->items.empty());
  EXPECT_EQ(doc.Find("error")->type, JsonValue::Type::kNull);
}

TEST(JsonReportTest, ErrorIsReported) {
  const JsonValue doc = MustParse(RenderJson(testing_results::Damaged()));
  EXPECT_EQ(doc.Find("error")->text,
            "cut.pcap: record 1 at byte 24: truncated record header");
  const JsonValue& inputs = *doc.Find("inputs");
  ASSERT_EQ(inputs.items.size(), 2u);
  EXPECT_EQ(inputs.items[0].Find("error")->type, JsonValue::Type::kNull);
  EXPECT_EQ(inputs.items[1].Find("link_type")->type, JsonValue::Type::kNull);
  EXPECT_EQ(inputs.items[1].Find("error")->text, doc.Find("error")->text);
}

TEST(JsonReportTest, LiveCaptureStatisticsAndCompleteness) {
  EXPECT_EQ(MustParse(RenderJson(testing_results::Sample()))
                .Find("summary")
                ->Find("live_capture"),
            nullptr)
      << "offline runs have no live_capture";
  struct Case {
    uint64_t kernel, interface;
    bool complete;
  };
  for (const Case& c : {Case{0, 0, true}, Case{7, 0, false},
                        Case{0, 3, false}}) {
    AnalysisResult result = testing_results::Sample();
    result.live = testing_results::Live("veth0", 5000, c.kernel, c.interface);
    const JsonValue doc = MustParse(RenderJson(result));
    const JsonValue* live = doc.Find("summary")->Find("live_capture");
    ASSERT_NE(live, nullptr);
    EXPECT_EQ(live->Find("interface")->text, "veth0");
    EXPECT_EQ(live->Find("stop_reason")->text, "signal");
    EXPECT_EQ(live->Find("packets_received")->text, "5000");
    EXPECT_EQ(live->Find("packets_dropped_by_kernel")->text,
              absl::StrCat(c.kernel));
    EXPECT_EQ(live->Find("packets_dropped_by_interface")->text,
              absl::StrCat(c.interface));
    EXPECT_EQ(live->Find("complete")->type, JsonValue::Type::kBool);
    EXPECT_EQ(live->Find("complete")->boolean, c.complete);
  }
}

TEST(JsonReportTest, HostileStringsRoundTripSanitized) {
  const AnalysisResult hostile = testing_results::Hostile();
  const std::string text = RenderJson(hostile);
  EXPECT_EQ(text.find("<script>"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  const JsonValue doc = MustParse(text);
  const std::string expected = SanitizeUtf8(hostile.error);
  EXPECT_EQ(doc.Find("error")->text, expected);
  EXPECT_EQ(doc.Find("inputs")->items[1].Find("name")->text, expected);
  const JsonValue& conn = doc.Find("connections")->items[0];
  EXPECT_EQ(conn.Find("history")->text, expected);
  EXPECT_EQ(conn.Find("notes")->items[0].text, expected);
  EXPECT_EQ(conn.Find("anomalies")->items[0].Find("detail")->text, expected);
  EXPECT_EQ(conn.Find("anomalies")->items[0].Find("kind")->text, expected);
}

TEST(JsonlReportTest, ConnectionLineSharesTheObject) {
  const AnalysisResult sample = testing_results::Sample();
  const JsonValue doc = MustParse(RenderJson(sample));
  for (size_t i = 0; i < sample.connections.size(); ++i) {
    const std::string line = RenderJsonlConnection(sample.connections[i]);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    JsonValue obj = MustParse(line);
    ASSERT_FALSE(obj.members.empty());
    EXPECT_EQ(obj.members[0].first, "type");
    EXPECT_EQ(obj.members[0].second.text, "connection");
    obj.members.erase(obj.members.begin());
    // Same keys and values as in the document (compare re-rendered).
    const JsonValue& in_doc = doc.Find("connections")->items[i];
    EXPECT_EQ(obj.Keys(), in_doc.Keys());
    EXPECT_EQ(obj.Find("client")->Find("timeline")->items.size(),
              in_doc.Find("client")->Find("timeline")->items.size());
  }
}

std::string RenderJsonlStream(const AnalysisResult& result) {
  std::string out;
  ConnectionTally tally;
  for (const ConnectionRecord& c : result.connections) {
    out += RenderJsonlConnection(c);
    tally.Add(c);
  }
  AnalysisResult not_retained = result;
  not_retained.connections.clear();
  return out + RenderJsonlSummary(not_retained, tally);
}

TEST(JsonlReportTest, StreamMatchesGoldenAndDocumentSummary) {
  const AnalysisResult sample = testing_results::Sample();
  const std::string actual = RenderJsonlStream(sample);
  EXPECT_EQ(testing_results::WithoutZeroDecodeCounters(actual),
            testing_results::WithoutZeroDecodeCounters(
                testing_results::Golden("sample.jsonl", actual)));
  const std::vector<std::string> lines =
      absl::StrSplit(actual, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  const JsonValue summary_line = MustParse(lines[2]);
  const std::vector<std::string> keys = {
      "type",  "tcpstate_version", "inputs", "summary",
      "hosts", "anomalies",        "error"};
  EXPECT_EQ(summary_line.Keys(), keys);
  EXPECT_EQ(summary_line.Find("type")->text, "summary");
  // The streamed tally gives the same state counts as the full document.
  const JsonValue doc = MustParse(RenderJson(sample));
  std::string streamed_summary;
  std::string doc_summary;
  for (const auto& [k, v] : summary_line.Find("summary")->members) {
    absl::StrAppend(&streamed_summary, k, "=", v.text, v.items.size(),
                    v.members.size(), ";");
  }
  for (const auto& [k, v] : doc.Find("summary")->members) {
    absl::StrAppend(&doc_summary, k, "=", v.text, v.items.size(),
                    v.members.size(), ";");
  }
  EXPECT_EQ(streamed_summary, doc_summary);
}

TEST(GoldenNormalizationTest, DropsOnlyZeroDecodeCounters) {
  EXPECT_EQ(testing_results::WithoutZeroDecodeCounters(
                "{\"x\":0,\"decode_counters\":{\"a\":0,\"b\":10,\"c\":0},"
                "\"decode_counters\":{\n  \"d\": 0\n},\"y\":0}"),
            "{\"x\":0,\"decode_counters\":{\"b\":10},"
            "\"decode_counters\":{},\"y\":0}");
}

TEST(JsonlReportTest, EmptyAndDamagedSummaries) {
  const std::string empty =
      RenderJsonlSummary(testing_results::Empty(), ConnectionTally());
  EXPECT_EQ(MustParse(empty).Find("error")->type, JsonValue::Type::kNull);
  const std::string damaged =
      RenderJsonlSummary(testing_results::Damaged(), ConnectionTally());
  EXPECT_EQ(testing_results::WithoutZeroDecodeCounters(damaged),
            testing_results::WithoutZeroDecodeCounters(
                testing_results::Golden("damaged_summary.jsonl", damaged)));
  EXPECT_EQ(MustParse(damaged).Find("error")->text,
            testing_results::Damaged().error);
}

}  // namespace
}  // namespace tcpstate
