#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tcpstate {

// A small JSON (RFC 8259) reader, enough to load baselines: tcpstate's own
// --format json output or the summary --write-baseline writes.
struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> items;                            // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject

  // The member named `key` of an object, or null when absent or not an
  // object.
  const JsonValue* Find(absl::string_view key) const;
};

// Errors say where: "line L column C: what".
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace tcpstate
