#include "reports/escape.h"

#include <string>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

struct EscapeCase {
  const char* name;
  std::string input;
  std::string sanitized;  // SanitizeUtf8
  std::string json;       // AppendJsonString
  std::string terminal;   // TerminalSafe
};

const std::string kFffd = "\xef\xbf\xbd";

class EscapeTest : public testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeTest, Sanitize) {
  EXPECT_EQ(SanitizeUtf8(GetParam().input), GetParam().sanitized);
}

TEST_P(EscapeTest, Json) {
  std::string out;
  AppendJsonString(GetParam().input, &out);
  EXPECT_EQ(out, GetParam().json);
}

TEST_P(EscapeTest, Terminal) {
  EXPECT_EQ(TerminalSafe(GetParam().input), GetParam().terminal);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EscapeTest,
    testing::Values(
        EscapeCase{"empty", "", "", "\"\"", ""},
        EscapeCase{"plain", "a.pcap", "a.pcap", "\"a.pcap\"", "a.pcap"},
        EscapeCase{"quote_backslash", "a\"b\\c", "a\"b\\c", "\"a\\\"b\\\\c\"",
                   "a\"b\\\\c"},
        EscapeCase{"controls", std::string("\x00\x01\n\t\x1f", 5),
                   std::string("\x00\x01\n\t\x1f", 5),
                   "\"\\u0000\\u0001\\u000a\\u0009\\u001f\"",
                   "\\x00\\x01\\x0a\\x09\\x1f"},
        EscapeCase{"ansi_escape", "\x1b[2Jx", "\x1b[2Jx", "\"\\u001b[2Jx\"",
                   "\\x1b[2Jx"},
        EscapeCase{"del_and_c1", "\x7f\xc2\x9b", "\x7f\xc2\x9b",
                   "\"\\u007f\xc2\x9b\"", "\\x7f\\x9b"},
        EscapeCase{"html", "</script><b>&", "</script><b>&",
                   "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"",
                   "</script><b>&"},
        EscapeCase{"valid_multibyte", "→ é 𝄞", "→ é 𝄞", "\"→ é 𝄞\"", "→ é 𝄞"},
        EscapeCase{"line_separator", "\xe2\x80\xa8", "\xe2\x80\xa8",
                   "\"\\u2028\"", "\xe2\x80\xa8"},
        EscapeCase{"lone_continuation", "a\x80z", "a" + kFffd + "z",
                   "\"a" + kFffd + "z\"", "a" + kFffd + "z"},
        EscapeCase{"invalid_lead", "\xff\xfe", kFffd + kFffd,
                   "\"" + kFffd + kFffd + "\"", kFffd + kFffd},
        // A truncated 3-byte sequence is one replacement, then the next
        // character survives.
        EscapeCase{"truncated_sequence", "\xe2\x82(", kFffd + "(",
                   "\"" + kFffd + "(\"", kFffd + "("},
        EscapeCase{"truncated_at_end", "x\xe2\x82", "x" + kFffd,
                   "\"x" + kFffd + "\"", "x" + kFffd},
        EscapeCase{"overlong_slash", "\xc0\xaf", kFffd + kFffd,
                   "\"" + kFffd + kFffd + "\"", kFffd + kFffd},
        EscapeCase{"overlong_3byte", "\xe0\x80\xaf", kFffd + kFffd + kFffd,
                   "\"" + kFffd + kFffd + kFffd + "\"", kFffd + kFffd + kFffd},
        EscapeCase{"surrogate", "\xed\xa0\x80", kFffd + kFffd + kFffd,
                   "\"" + kFffd + kFffd + kFffd + "\"", kFffd + kFffd + kFffd},
        EscapeCase{"above_max", "\xf4\x90\x80\x80",
                   kFffd + kFffd + kFffd + kFffd,
                   "\"" + kFffd + kFffd + kFffd + kFffd + "\"",
                   kFffd + kFffd + kFffd + kFffd}),
    [](const testing::TestParamInfo<EscapeCase>& info) {
      return std::string(info.param.name);
    });

TEST(DecodeUtf8Test, DecodesFourByteSequence) {
  const Utf8Step step = DecodeUtf8At("\xf0\x9d\x84\x9e", 0);
  EXPECT_TRUE(step.valid);
  EXPECT_EQ(step.code_point, 0x1D11Eu);
  EXPECT_EQ(step.length, 4u);
}

TEST(DisplayWidthTest, CountsCodePoints) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("→"), 1u);
  EXPECT_EQ(DisplayWidth("[2001:db8::1]:80"), 16u);
}

}  // namespace
}  // namespace tcpstate
