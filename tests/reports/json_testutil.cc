#include "tests/reports/json_testutil.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "reports/escape.h"

namespace tcpstate {
namespace testing_json {
namespace {

class Parser {
 public:
  explicit Parser(absl::string_view s) : s_(s) {}

  absl::StatusOr<JsonValue> Document() {
    JsonValue v;
    absl::Status st = Value(&v, 0);
    if (!st.ok()) {
      return st;
    }
    SkipSpace();
    if (pos_ != s_.size()) {
      return Error("trailing characters");
    }
    return v;
  }

 private:
  absl::Status Error(absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(what, " at ", pos_));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Literal(absl::string_view word) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  absl::Status Value(JsonValue* v, int depth) {
    if (depth > 64) {
      return Error("too deep");
    }
    SkipSpace();
    if (pos_ >= s_.size()) {
      return Error("unexpected end");
    }
    const char c = s_[pos_];
    if (c == '{') {
      return Object(v, depth);
    }
    if (c == '[') {
      return Array(v, depth);
    }
    if (c == '"') {
      v->type = JsonValue::Type::kString;
      return String(&v->text);
    }
    if (Literal("null")) {
      v->type = JsonValue::Type::kNull;
      return absl::OkStatus();
    }
    if (Literal("true") || Literal("false")) {
      v->type = JsonValue::Type::kBool;
      v->boolean = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u';
      return absl::OkStatus();
    }
    return Number(v);
  }

  absl::Status Digits() {
    const size_t start = pos_;
    while (pos_ < s_.size() && absl::ascii_isdigit(s_[pos_])) {
      ++pos_;
    }
    return pos_ > start ? absl::OkStatus() : Error("digit expected");
  }

  absl::Status Number(JsonValue* v) {
    const size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') {
      ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!Digits().ok()) {
      return Error("bad value");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!Digits().ok()) {
        return Error("bad fraction");
      }
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      return Error("exponent not expected from our writer");
    }
    v->type = JsonValue::Type::kNumber;
    v->text = std::string(s_.substr(start, pos_ - start));
    return absl::OkStatus();
  }

  absl::Status Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) {
      return Error("short \\u escape");
    }
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      if (!absl::ascii_isxdigit(h)) {
        return Error("bad hex digit");
      }
      *out = *out * 16 + (absl::ascii_isdigit(h)
                              ? h - '0'
                              : absl::ascii_tolower(h) - 'a' + 10);
    }
    return absl::OkStatus();
  }

  absl::Status Escape(std::string* out) {
    const char e = s_[pos_++];
    const absl::string_view simple = "\"\\/bfnrt";
    const absl::string_view mapped = "\"\\/\b\f\n\r\t";
    if (simple.find(e) != absl::string_view::npos) {
      out->push_back(mapped[simple.find(e)]);
      return absl::OkStatus();
    }
    if (e != 'u') {
      return Error("bad escape");
    }
    uint32_t cp = 0;
    absl::Status st = Hex4(&cp);
    if (!st.ok()) {
      return st;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!Literal("\\u") || !Hex4(&low).ok() || low < 0xDC00 || low > 0xDFFF) {
        return Error("lone high surrogate");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Error("lone low surrogate");
    }
    AppendUtf8(cp, out);
    return absl::OkStatus();
  }

  absl::Status String(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c < 0x20) {
        return Error("raw control character in string");
      }
      if (c == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) {
          return Error("unterminated escape");
        }
        absl::Status st = Escape(out);
        if (!st.ok()) {
          return st;
        }
        continue;
      }
      const Utf8Step step = DecodeUtf8At(s_, pos_);
      if (!step.valid) {
        return Error("invalid UTF-8");
      }
      out->append(s_.data() + pos_, step.length);
      pos_ += step.length;
    }
    return Error("unterminated string");
  }

  absl::Status Array(JsonValue* v, int depth) {
    ++pos_;
    v->type = JsonValue::Type::kArray;
    if (Eat(']')) {
      return absl::OkStatus();
    }
    do {
      v->items.emplace_back();
      absl::Status st = Value(&v->items.back(), depth + 1);
      if (!st.ok()) {
        return st;
      }
    } while (Eat(','));
    return Eat(']') ? absl::OkStatus() : Error("']' expected");
  }

  absl::Status Object(JsonValue* v, int depth) {
    ++pos_;
    v->type = JsonValue::Type::kObject;
    if (Eat('}')) {
      return absl::OkStatus();
    }
    do {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        return Error("key expected");
      }
      std::string key;
      absl::Status st = String(&key);
      if (!st.ok()) {
        return st;
      }
      if (v->Find(key) != nullptr) {
        return Error(absl::StrCat("duplicate key ", key));
      }
      if (!Eat(':')) {
        return Error("':' expected");
      }
      v->members.emplace_back(key, JsonValue());
      st = Value(&v->members.back().second, depth + 1);
      if (!st.ok()) {
        return st;
      }
    } while (Eat(','));
    return Eat('}') ? absl::OkStatus() : Error("'}' expected");
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

std::vector<std::string> JsonValue::Keys() const {
  std::vector<std::string> keys;
  for (const auto& member : members) {
    keys.push_back(member.first);
  }
  return keys;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  return Parser(text).Document();
}

}  // namespace testing_json
}  // namespace tcpstate
