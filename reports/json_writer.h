#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "reports/escape.h"

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
//
// For speed (it writes every connection record) it writes through a cursor
// into slack it adds to `out`: `out` holds exactly what was written once a
// top-level value is complete, after Flush(), and after the writer is
// destroyed. Read or change `out` only then.
class JsonWriter {
 public:
  // `out` must outlive the writer. `indent` 0 writes one line. With
  // `base_depth`, the text is indented as if nested that deep (a value
  // rendered apart, to be put into a document later with RawValue).
  explicit JsonWriter(std::string* out, int indent = 0, int base_depth = 0);
  ~JsonWriter() { Flush(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  // Inside an object, each value is preceded by its key.
  void Key(absl::string_view key) { KeyOf(key.data(), key.size()); }
  void String(absl::string_view value);
  void Uint(uint64_t value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // A number already formatted by the caller, e.g. "1.500000".
  void RawNumber(absl::string_view text);
  // A whole value already written by another JsonWriter (with the
  // base_depth of this place), put in as it is.
  void RawValue(absl::string_view json);
  // Seconds with 6 decimals: since the epoch, or a duration (format.h).
  void EpochSeconds(absl::Time t);
  void Seconds(absl::Duration d);

  // Trims `out` to what was written, so that it may be read or changed; the
  // next write continues at its (possibly new) end.
  void Flush();

 private:
  struct Level {
    bool is_object;
    bool empty;
  };
  // Room for `n` more bytes at the cursor; returns the cursor.
  char* Room(size_t n) {
    if (!reserved_ || out_->size() - pos_ < n) {
      Reserve(n);
    }
    return &(*out_)[pos_];
  }
  void Reserve(size_t n);
  void Put(const char* s, size_t n) {
    std::memcpy(Room(n), s, n);
    pos_ += n;
  }
  void Put(char c) {
    *Room(1) = c;
    ++pos_;
  }
  // After a complete value: at the top level, `out` is made exact.
  void AfterValue() {
    if (stack_.empty()) {
      Flush();
    }
  }
  // Key, inlined into each caller.
  inline void KeyOf(const char* key, size_t n);
  // A key that is not plain JSON: escaped.
  void EscapedKey(absl::string_view key);
  void BeforeValue();
  void Open(char bracket, bool is_object);
  void Close(char bracket);
  void NewLine(size_t depth);

  std::string* out_;
  int indent_;
  size_t base_depth_;
  size_t pos_ = 0;         // the cursor: bytes of `out` written
  bool reserved_ = false;  // `out` is longer than pos_ (slack)
  absl::InlinedVector<Level, 8> stack_;  // deeper documents spill to the heap
  bool after_key_ = false;
};

inline void JsonWriter::KeyOf(const char* key, size_t n) {
  Level& top = stack_.back();  // a key is only written inside an object
  const bool comma = !top.empty;
  top.empty = false;
  after_key_ = true;
  bool plain = indent_ <= 0;
  for (size_t i = 0; i < n; ++i) {
    plain &= kJsonPlain[static_cast<uint8_t>(key[i])];
  }
  if (!plain) {
    if (comma) {
      Put(',');
    }
    EscapedKey(absl::string_view(key, n));
    return;
  }
  // On one line, the comma, the quoted key and the colon in one piece.
  char* p = Room(n + 4);
  *p = ',';
  p += comma ? 1 : 0;
  *p++ = '"';
  std::memcpy(p, key, n);
  p += n;
  *p++ = '"';
  *p++ = ':';
  pos_ = static_cast<size_t>(p - out_->data());
}

}  // namespace tcpstate
