#include "reports/json_writer.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

void WriteSample(JsonWriter* w) {
  w->BeginObject();
  w->Key("a");
  w->Uint(18446744073709551615u);
  w->Key("b");
  w->BeginArray();
  w->Int(-3);
  w->Bool(true);
  w->Null();
  w->RawNumber("1.500000");
  w->EndArray();
  w->Key("empty_obj");
  w->BeginObject();
  w->EndObject();
  w->Key("empty_arr");
  w->BeginArray();
  w->EndArray();
  w->Key("s\"");
  w->String("x\ny");
  w->EndObject();
}

TEST(JsonWriterTest, CompactOutput) {
  std::string out;
  JsonWriter w(&out);
  WriteSample(&w);
  EXPECT_EQ(out,
            "{\"a\":18446744073709551615,\"b\":[-3,true,null,1.500000],"
            "\"empty_obj\":{},\"empty_arr\":[],\"s\\\"\":\"x\\u000ay\"}");
}

TEST(JsonWriterTest, IndentedOutput) {
  std::string out;
  JsonWriter w(&out, 2);
  WriteSample(&w);
  EXPECT_EQ(out,
            "{\n"
            "  \"a\": 18446744073709551615,\n"
            "  \"b\": [\n"
            "    -3,\n"
            "    true,\n"
            "    null,\n"
            "    1.500000\n"
            "  ],\n"
            "  \"empty_obj\": {},\n"
            "  \"empty_arr\": [],\n"
            "  \"s\\\"\": \"x\\u000ay\"\n"
            "}");
}

TEST(JsonWriterTest, TopLevelScalarsAndNestedArrays) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.BeginArray();
  w.Uint(1);
  w.EndArray();
  w.BeginObject();
  w.EndObject();
  w.String("");
  w.EndArray();
  EXPECT_EQ(out, "[[1],{},\"\"]");
}

// The writer works through a cursor in slack it adds to the string: what it
// appends follows what was there, and the string is exact after each
// top-level value, after Flush, and after the writer is gone.
TEST(JsonWriterTest, AppendsAfterExistingTextAndLeavesNoSlack) {
  std::string out = "prefix ";
  {
    JsonWriter w(&out);
    w.BeginArray();
    w.Int(std::numeric_limits<int64_t>::min());
    w.Uint(0);
    w.Seconds(absl::Microseconds(-1500000));
    w.EpochSeconds(absl::FromUnixMicros(1700000000000001));
    w.EndArray();
    EXPECT_EQ(out,
              "prefix [-9223372036854775808,0,-1.500000,"
              "1700000000.000001]");
    out += " | ";  // exact between top-level values
    w.Uint(7);
    EXPECT_EQ(out.back(), '7');  // a top-level scalar: exact at once
  }
  EXPECT_EQ(out, "prefix [-9223372036854775808,0,-1.500000,"
                 "1700000000.000001] | 7");
}

TEST(JsonWriterTest, FlushMidDocumentThenTheCallerDrains) {
  std::string out;
  std::string drained;
  JsonWriter w(&out, 2);
  w.BeginObject();
  w.Key("rows");
  w.BeginArray();
  for (int i = 0; i < 3; ++i) {
    w.Uint(static_cast<uint64_t>(i));
    w.Flush();
    drained += out;
    out.clear();
  }
  w.EndArray();
  w.EndObject();
  drained += out;
  EXPECT_EQ(drained, "{\n  \"rows\": [\n    0,\n    1,\n    2\n  ]\n}");
}

TEST(JsonWriterTest, LongAndEscapedStringsAndKeys) {
  const std::string long_plain(5000, 'x');
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key(long_plain);
  w.String(long_plain);
  w.Key("k\x01");
  w.String("tab\there");
  w.Key("after");
  w.Bool(false);
  w.EndObject();
  EXPECT_EQ(out, "{\"" + long_plain + "\":\"" + long_plain +
                     "\",\"k\\u0001\":\"tab\\u0009here\",\"after\":false}");
}

}  // namespace
}  // namespace tcpstate
