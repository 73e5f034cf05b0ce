#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tcpstate {

// A small streaming JSON writer that appends to a string. Keys come out in
// the order they are written (callers fix the order); commas, and with
// `indent` > 0 newlines and indentation, are inserted automatically.
// Strings are escaped by AppendJsonString (invalid UTF-8 becomes U+FFFD).
//
//   JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("packets");
//   w.Uint(3);
//   w.EndObject();  // {"packets":3}
class JsonWriter {
 public:
  // `out` must outlive the writer. `indent` 0 writes one line.
  explicit JsonWriter(std::string* out, int indent = 0);

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  // Inside an object, each value is preceded by its key.
  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Uint(uint64_t value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // A number already formatted by the caller, e.g. "1.500000".
  void RawNumber(absl::string_view text);
  // Seconds with 6 decimals: since the epoch, or a duration (format.h).
  void EpochSeconds(absl::Time t);
  void Seconds(absl::Duration d);

 private:
  struct Level {
    bool is_object;
    bool empty;
  };
  void BeforeValue();
  void Open(char bracket, bool is_object);
  void Close(char bracket);
  void NewLine(size_t depth);

  std::string* out_;
  int indent_;
  absl::InlinedVector<Level, 8> stack_;  // deeper documents spill to the heap
  bool after_key_ = false;
};

}  // namespace tcpstate
