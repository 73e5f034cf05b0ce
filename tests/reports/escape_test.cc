#include "reports/escape.h"

#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
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

// The definition AppendJsonString must meet, one code point at a time with
// no fast path: the reference for the randomised comparison below.
std::string JsonByCodePoint(const std::string& s) {
  std::string out = "\"";
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Step step = DecodeUtf8At(s, pos);
    const uint32_t cp = step.code_point;
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp < 0x20 || cp == 0x7F || cp == '<' || cp == '>' ||
               cp == '&' || cp == 0x2028 || cp == 0x2029) {
      out += absl::StrFormat("\\u%04x", cp);
    } else {
      AppendUtf8(cp, &out);
    }
    pos += step.length;
  }
  return out + "\"";
}

TEST(JsonStringTest, FastPathMatchesCodePointDefinition) {
  std::mt19937 rng(20261121);
  // Mostly ASCII, with escapes and UTF-8 fragments mixed in.
  const std::string pieces[] = {"a", "Z", " ", "\"", "\\", "<", "&", "\n",
                                "\x7f", "\xc3\xa9", "\xe2\x80\xa8", "\xe2\x82",
                                "\x80", "\xf0\x9d\x84\x9e", "\xff", "pcap"};
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int j = 0; j < n; ++j) {
      s += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
    }
    std::string out;
    AppendJsonString(s, &out);
    ASSERT_EQ(out, JsonByCodePoint(s)) << absl::CEscape(s);
    // Plain: printable ASCII that escaping leaves as it is.
    const bool ascii = std::all_of(s.begin(), s.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x80;
    });
    ASSERT_EQ(IsPlainJson(s), ascii && out == "\"" + s + "\"")
        << absl::CEscape(s);
  }
}

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

struct HtmlCase {
  const char* name;
  std::string input;
  std::string html;  // HtmlEscape
};

class HtmlEscapeTest : public testing::TestWithParam<HtmlCase> {};

TEST_P(HtmlEscapeTest, Escapes) {
  EXPECT_EQ(HtmlEscape(GetParam().input), GetParam().html);
  std::string appended = "x";
  AppendHtmlEscaped(GetParam().input, &appended);
  EXPECT_EQ(appended, "x" + GetParam().html);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HtmlEscapeTest,
    testing::Values(
        HtmlCase{"empty", "", ""},
        HtmlCase{"plain", "a.pcap 198.18.0.1:80", "a.pcap 198.18.0.1:80"},
        HtmlCase{"markup", "</script><b x=\"1\" y='2'>&amp;",
                 "&lt;/script&gt;&lt;b x=&quot;1&quot; y=&#39;2&#39;&gt;"
                 "&amp;amp;"},
        HtmlCase{"comment_open", "<!-- x", "&lt;!-- x"},
        HtmlCase{"controls", std::string("a\x00\x01\n\t\x1b[2J", 9),
                 "a\\x00\\x01\\x0a\\x09\\x1b[2J"},
        HtmlCase{"del_and_c1", "\x7f\xc2\x85\xc2\x9b", "\\x7f\\x85\\x9b"},
        HtmlCase{"backslash_kept", "C:\\dir", "C:\\dir"},
        HtmlCase{"valid_multibyte", "→ é 𝄞 ×", "→ é 𝄞 ×"},
        HtmlCase{"invalid_utf8", "q\xff\xc3\x28 ok\xe2\x82",
                 "q" + kFffd + kFffd + "( ok" + kFffd},
        HtmlCase{"surrogate", "\xed\xa0\x80", kFffd + kFffd + kFffd}),
    [](const testing::TestParamInfo<HtmlCase>& info) {
      return std::string(info.param.name);
    });

TEST(JsonForScriptElementTest, NoScriptEndOrCommentOpenSurvives) {
  const std::string json = "{\"a\":\"</script><!--\",\"b\":[1,2]}";
  const std::string safe = JsonForScriptElement(json);
  EXPECT_EQ(safe,
            "{\"a\":\"\\u003c/script>\\u003c!--\",\"b\":[1,2]}");
  EXPECT_EQ(safe.find('<'), std::string::npos);
}

TEST(JsonForScriptElementTest, WriterOutputIsUnchanged) {
  // AppendJsonString already escapes '<', so its output passes as it is.
  std::string json;
  AppendJsonString("</script><!-- \xff", &json);
  EXPECT_EQ(JsonForScriptElement(json), json);
}

}  // namespace
}  // namespace tcpstate
