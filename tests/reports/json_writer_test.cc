#include "reports/json_writer.h"

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

}  // namespace
}  // namespace tcpstate
