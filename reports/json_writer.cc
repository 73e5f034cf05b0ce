#include "reports/json_writer.h"

#include <algorithm>
#include <cassert>

#include "reports/escape.h"
#include "reports/format.h"

namespace tcpstate {

JsonWriter::JsonWriter(std::string* out, int indent, int base_depth)
    : out_(out),
      indent_(indent),
      base_depth_(static_cast<size_t>(std::max(base_depth, 0))) {}

// Slack is added in pieces of at least 1 KiB (zero-filled by resize, so kept
// small), the string's capacity grown geometrically.
void JsonWriter::Reserve(size_t n) {
  if (!reserved_) {
    pos_ = out_->size();
    reserved_ = true;
  }
  const size_t want = pos_ + std::max<size_t>(n, 1024);
  if (want > out_->capacity()) {
    out_->reserve(std::max(want, 2 * out_->capacity()));
  }
  out_->resize(want);
}

void JsonWriter::Flush() {
  if (reserved_) {
    out_->resize(pos_);
    reserved_ = false;
  }
}

void JsonWriter::NewLine(size_t depth) {
  if (indent_ <= 0) {
    return;
  }
  const size_t n = (base_depth_ + depth) * static_cast<size_t>(indent_);
  char* p = Room(n + 1);
  *p = '\n';
  std::memset(p + 1, ' ', n);
  pos_ += n + 1;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) {
    return;
  }
  assert(!stack_.back().is_object && "object members need a Key()");
  if (!stack_.back().empty) {
    Put(',');
  }
  stack_.back().empty = false;
  NewLine(stack_.size());
}

// An indented key, or one that needs escaping (its comma is written).
void JsonWriter::EscapedKey(absl::string_view key) {
  NewLine(stack_.size());
  Flush();
  AppendJsonString(key, out_);
  out_->append(indent_ > 0 ? ": " : ":");
}

void JsonWriter::Open(char bracket, bool is_object) {
  BeforeValue();
  Put(bracket);
  stack_.push_back({is_object, true});
}

void JsonWriter::Close(char bracket) {
  assert(!stack_.empty() && !after_key_);
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) {
    NewLine(stack_.size());
  }
  Put(bracket);
  AfterValue();
}

void JsonWriter::BeginObject() { Open('{', true); }
void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::BeginArray() { Open('[', false); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::String(absl::string_view value) {
  BeforeValue();
  if (IsPlainJson(value)) {
    char* p = Room(value.size() + 2);
    *p++ = '"';
    std::memcpy(p, value.data(), value.size());
    p[value.size()] = '"';
    pos_ += value.size() + 2;
  } else {
    Flush();
    AppendJsonString(value, out_);
  }
  AfterValue();
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char* p = Room(24);
  pos_ = static_cast<size_t>(WriteUint(value, p) - out_->data());
  AfterValue();
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char* p = Room(24);
  if (value < 0) {
    *p++ = '-';
  }
  const uint64_t magnitude = value < 0 ? ~static_cast<uint64_t>(value) + 1
                                       : static_cast<uint64_t>(value);
  pos_ = static_cast<size_t>(WriteUint(magnitude, p) - out_->data());
  AfterValue();
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  if (value) {
    Put("true", 4);
  } else {
    Put("false", 5);
  }
  AfterValue();
}

void JsonWriter::Null() {
  BeforeValue();
  Put("null", 4);
  AfterValue();
}

void JsonWriter::RawNumber(absl::string_view text) {
  BeforeValue();
  Put(text.data(), text.size());
  AfterValue();
}

void JsonWriter::RawValue(absl::string_view json) {
  BeforeValue();
  Put(json.data(), json.size());
  AfterValue();
}

void JsonWriter::EpochSeconds(absl::Time t) {
  BeforeValue();
  char* p = Room(kSecondsChars);
  pos_ = static_cast<size_t>(WriteEpochSeconds(t, p) - out_->data());
  AfterValue();
}

void JsonWriter::Seconds(absl::Duration d) {
  BeforeValue();
  char* p = Room(kSecondsChars);
  pos_ = static_cast<size_t>(WriteSeconds(d, p) - out_->data());
  AfterValue();
}

}  // namespace tcpstate
