#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tcpstate {
namespace testing_json {

// A strict RFC 8259 parser for checking the writers' output: rejects raw
// control characters in strings, invalid UTF-8, bad escapes, duplicate
// keys, trailing commas and trailing garbage.
struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // number as written, or the decoded string
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members;  // in order

  // Member by key, or nullptr.
  const JsonValue* Find(absl::string_view key) const;
  std::vector<std::string> Keys() const;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace testing_json
}  // namespace tcpstate
