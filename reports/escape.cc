#include "reports/escape.h"

#include <array>

#include "absl/strings/str_format.h"

namespace tcpstate {
namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// For a lead byte, the number of bytes of the sequence and the allowed range
// of the second byte (RFC 3629 section 4 table). 0 length = invalid lead.
struct LeadInfo {
  size_t length;
  uint8_t second_lo;
  uint8_t second_hi;
};

LeadInfo ClassifyLead(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) {
    return {2, 0x80, 0xBF};
  }
  if (b == 0xE0) {
    return {3, 0xA0, 0xBF};  // no overlongs
  }
  if (b == 0xED) {
    return {3, 0x80, 0x9F};  // no surrogates
  }
  if (b >= 0xE1 && b <= 0xEF) {
    return {3, 0x80, 0xBF};
  }
  if (b == 0xF0) {
    return {4, 0x90, 0xBF};  // no overlongs
  }
  if (b >= 0xF1 && b <= 0xF3) {
    return {4, 0x80, 0xBF};
  }
  if (b == 0xF4) {
    return {4, 0x80, 0x8F};  // not above U+10FFFF
  }
  return {0, 0, 0};
}

}  // namespace

Utf8Step DecodeUtf8At(absl::string_view s, size_t pos) {
  const uint8_t lead = static_cast<uint8_t>(s[pos]);
  if (lead < 0x80) {
    return {lead, 1, true};
  }
  const LeadInfo info = ClassifyLead(lead);
  if (info.length == 0) {
    return {kReplacementChar, 1, false};
  }
  uint32_t cp = lead & (0xFF >> (info.length + 1));
  size_t used = 1;
  while (used < info.length && pos + used < s.size()) {
    const uint8_t b = static_cast<uint8_t>(s[pos + used]);
    const bool ok = used == 1 ? (b >= info.second_lo && b <= info.second_hi)
                              : IsContinuation(b);
    if (!ok) {
      break;
    }
    cp = (cp << 6) | (b & 0x3F);
    ++used;
  }
  if (used < info.length) {
    return {kReplacementChar, used, false};
  }
  return {cp, used, true};
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string SanitizeUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Step step = DecodeUtf8At(s, pos);
    if (step.valid) {
      out.append(s.data() + pos, step.length);
    } else {
      AppendUtf8(kReplacementChar, &out);
    }
    pos += step.length;
  }
  return out;
}

bool IsPlainJson(absl::string_view s) {
  bool plain = true;
  for (char c : s) {
    plain &= kJsonPlain[static_cast<uint8_t>(c)];
  }
  return plain;
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t pos = 0; pos < s.size();) {
    // Runs of plain ASCII (nearly everything we write) are copied at once.
    size_t end = pos;
    while (end < s.size() && kJsonPlain[static_cast<uint8_t>(s[end])]) {
      ++end;
    }
    out->append(s.data() + pos, end - pos);
    pos = end;
    if (pos == s.size()) {
      break;
    }
    const Utf8Step step = DecodeUtf8At(s, pos);
    const uint32_t cp = step.code_point;
    if (cp == '"' || cp == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x20 || cp == 0x7F || cp == '<' || cp == '>' || cp == '&' ||
               cp == 0x2028 || cp == 0x2029) {
      absl::StrAppendFormat(out, "\\u%04x", cp);
    } else if (step.valid) {
      out->append(s.data() + pos, step.length);
    } else {
      AppendUtf8(kReplacementChar, out);
    }
    pos += step.length;
  }
  out->push_back('"');
}

std::string TerminalSafe(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Step step = DecodeUtf8At(s, pos);
    const uint32_t cp = step.code_point;
    if (cp == '\\') {
      out.append("\\\\");
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      absl::StrAppendFormat(&out, "\\x%02x", cp);
    } else {
      AppendUtf8(cp, &out);
    }
    pos += step.length;
  }
  return out;
}

void AppendHtmlEscaped(absl::string_view s, std::string* out) {
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Step step = DecodeUtf8At(s, pos);
    const uint32_t cp = step.code_point;
    switch (cp) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
          absl::StrAppendFormat(out, "\\x%02x", cp);
        } else {
          AppendUtf8(cp, out);
        }
    }
    pos += step.length;
  }
}

std::string HtmlEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendHtmlEscaped(s, &out);
  return out;
}

std::string JsonForScriptElement(absl::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    if (c == '<') {
      out.append("\\u003c");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

size_t DisplayWidth(absl::string_view s) {
  size_t width = 0;
  for (size_t pos = 0; pos < s.size();) {
    pos += DecodeUtf8At(s, pos).length;
    ++width;
  }
  return width;
}

}  // namespace tcpstate
