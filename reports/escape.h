#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace tcpstate {

// Escaping for strings that may come from packets or file names: they can
// hold any bytes, including control characters and invalid UTF-8.

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// One step of UTF-8 decoding at `pos`. An invalid sequence yields
// U+FFFD and `length` covers its maximal valid prefix (at least one byte),
// so each broken sequence becomes exactly one replacement character.
struct Utf8Step {
  uint32_t code_point = 0;
  size_t length = 0;
  bool valid = false;
};
Utf8Step DecodeUtf8At(absl::string_view s, size_t pos);

// Appends `cp` encoded as UTF-8 (`cp` must be a scalar value).
void AppendUtf8(uint32_t cp, std::string* out);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string SanitizeUtf8(absl::string_view s);

// Appends `s` as a quoted JSON string (RFC 8259 section 7): quotes and
// backslashes escaped, control characters (and DEL) as \u00XX, `<`, `>`
// and `&` as \u003c.. so the text is safe to embed in HTML, U+2028/U+2029
// escaped, invalid UTF-8 replaced by U+FFFD.
void AppendJsonString(absl::string_view s, std::string* out);

// Whether `c` is a byte AppendJsonString copies as it is: printable ASCII
// other than the quote, the backslash and the HTML-significant < > &.
constexpr bool IsPlainJsonChar(char c) {
  return c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '<' &&
         c != '>' && c != '&';
}

// IsPlainJsonChar as a table (one load per byte where it is hot: keys,
// string runs).
constexpr std::array<bool, 256> MakeJsonPlainTable() {
  std::array<bool, 256> plain{};
  for (int b = 0; b < 256; ++b) {
    plain[b] = IsPlainJsonChar(static_cast<char>(b));
  }
  return plain;
}
inline constexpr std::array<bool, 256> kJsonPlain = MakeJsonPlainTable();

// Whether `s` is printable ASCII that AppendJsonString leaves as it is
// (it would only add the quotes).
bool IsPlainJson(absl::string_view s);

// `s` made safe for a terminal: C0 and C1 control characters and DEL are
// shown as \xNN, a backslash as \\, invalid UTF-8 as U+FFFD. Printable
// text (including non-ASCII) is kept.
std::string TerminalSafe(absl::string_view s);

// Appends `s` as HTML text or a quoted attribute value: & < > " ' become
// character references, C0 and C1 control characters and DEL are shown as
// \xNN (they are not allowed in HTML text), invalid UTF-8 becomes U+FFFD.
void AppendHtmlEscaped(absl::string_view s, std::string* out);
std::string HtmlEscape(absl::string_view s);

// JSON text (as the JSON writer produces it) made safe inside an HTML
// <script> element: every '<' becomes \u003c, so neither "</script" nor
// "<!--" can occur. Valid JSON has '<' only inside strings, where \u003c
// means the same character.
std::string JsonForScriptElement(absl::string_view json);

// Number of code points in valid UTF-8 `s` (display width for the ASCII and
// simple symbols the text report uses).
size_t DisplayWidth(absl::string_view s);

}  // namespace tcpstate
