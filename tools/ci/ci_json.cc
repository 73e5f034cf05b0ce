#include "tools/ci/ci_json.h"

#include <cmath>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "reports/escape.h"

namespace tcpstate {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    absl::Status status = ParseValue(0, &value);
    if (status.ok()) {
      SkipSpace();
      if (pos_ != text_.size()) {
        status = Error("unexpected text after the document");
      }
    }
    if (!status.ok()) {
      return status;
    }
    return value;
  }

 private:
  absl::Status Error(absl::string_view what) const {
    int line = 1;
    int column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, " column ", column, ": ", what));
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(absl::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  absl::Status ParseValue(int depth, JsonValue* out) {
    if (depth > kMaxDepth) {
      return Error("nested too deeply");
    }
    SkipSpace();
    if (pos_ >= text_.size()) {
      return Error("unexpected end of input");
    }
    const char c = text_[pos_];
    if (c == '{') {
      return ParseObject(depth, out);
    }
    if (c == '[') {
      return ParseArray(depth, out);
    }
    if (c == '"') {
      out->type = JsonValue::Type::kString;
      return ParseString(&out->string);
    }
    if (Consume("null")) {
      out->type = JsonValue::Type::kNull;
      return absl::OkStatus();
    }
    if (Consume("true")) {
      out->type = JsonValue::Type::kBool;
      out->boolean = true;
      return absl::OkStatus();
    }
    if (Consume("false")) {
      out->type = JsonValue::Type::kBool;
      return absl::OkStatus();
    }
    return ParseNumber(out);
  }

  absl::Status ParseNumber(JsonValue* out) {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           absl::string_view("+-0123456789.eE").find(text_[pos_]) !=
               absl::string_view::npos) {
      ++pos_;
    }
    double value = 0;
    if (pos_ == start ||
        !absl::SimpleAtod(text_.substr(start, pos_ - start), &value) ||
        !std::isfinite(value)) {
      pos_ = start;
      return Error("expected a value");
    }
    out->type = JsonValue::Type::kNumber;
    out->number = value;
    return absl::OkStatus();
  }

  absl::Status ParseHex4(uint32_t* out) {
    *out = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = pos_ < text_.size() ? text_[pos_] : '\0';
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) {
        return Error("bad \\u escape");
      }
      *out = *out * 16 + static_cast<uint32_t>(digit);
    }
    return absl::OkStatus();
  }

  absl::Status ParseEscape(std::string* out) {
    static constexpr absl::string_view kFrom = "\"\\/bfnrt";
    static constexpr absl::string_view kTo = "\"\\/\b\f\n\r\t";
    const char c = pos_ < text_.size() ? text_[pos_++] : '\0';
    const size_t simple = kFrom.find(c);
    if (c != '\0' && simple != absl::string_view::npos) {
      out->push_back(kTo[simple]);
      return absl::OkStatus();
    }
    if (c != 'u') {
      return Error("bad escape in string");
    }
    uint32_t cp = 0;
    absl::Status status = ParseHex4(&cp);
    if (status.ok() && cp >= 0xD800 && cp < 0xDC00 && Consume("\\u")) {
      uint32_t low = 0;
      status = ParseHex4(&low);
      cp = low >= 0xDC00 && low < 0xE000
               ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
               : kReplacementChar;
    }
    if (cp >= 0xD800 && cp < 0xE000) {
      cp = kReplacementChar;
    }
    AppendUtf8(cp, out);
    return status;
  }

  absl::Status ParseString(std::string* out) {
    ++pos_;  // the opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      const char c = text_[pos_++];
      if (c == '\\') {
        absl::Status status = ParseEscape(out);
        if (!status.ok()) {
          return status;
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return Error("control character in string");
      } else {
        out->push_back(c);
      }
    }
    if (!Consume("\"")) {
      return Error("unterminated string");
    }
    return absl::OkStatus();
  }

  absl::Status ParseArray(int depth, JsonValue* out) {
    out->type = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (Consume("]")) {
      return absl::OkStatus();
    }
    while (true) {
      out->items.emplace_back();
      absl::Status status = ParseValue(depth + 1, &out->items.back());
      if (!status.ok()) {
        return status;
      }
      SkipSpace();
      if (Consume("]")) {
        return absl::OkStatus();
      }
      if (!Consume(",")) {
        return Error("expected ',' or ']'");
      }
    }
  }

  absl::Status ParseObject(int depth, JsonValue* out) {
    out->type = JsonValue::Type::kObject;
    ++pos_;
    SkipSpace();
    if (Consume("}")) {
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Error("expected a member name");
      }
      out->members.emplace_back();
      absl::Status status = ParseString(&out->members.back().first);
      SkipSpace();
      if (status.ok() && !Consume(":")) {
        status = Error("expected ':'");
      }
      if (status.ok()) {
        status = ParseValue(depth + 1, &out->members.back().second);
      }
      if (!status.ok()) {
        return status;
      }
      SkipSpace();
      if (Consume("}")) {
        return absl::OkStatus();
      }
      if (!Consume(",")) {
        return Error("expected ',' or '}'");
      }
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view key) const {
  if (type != Type::kObject) {
    return nullptr;
  }
  for (const auto& [name, value] : members) {
    if (name == key) {
      return &value;
    }
  }
  return nullptr;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  return Parser(text).ParseDocument();
}

}  // namespace tcpstate
