#include "reports/json_writer.h"

#include <cassert>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "reports/escape.h"
#include "reports/format.h"

namespace tcpstate {

JsonWriter::JsonWriter(std::string* out, int indent)
    : out_(out), indent_(indent) {}

void JsonWriter::NewLine(size_t depth) {
  if (indent_ <= 0) {
    return;
  }
  out_->push_back('\n');
  out_->append(depth * static_cast<size_t>(indent_), ' ');
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
    out_->push_back(',');
  }
  stack_.back().empty = false;
  NewLine(stack_.size());
}

void JsonWriter::Key(absl::string_view key) {
  assert(!stack_.empty() && stack_.back().is_object && !after_key_);
  const bool comma = !stack_.back().empty;
  stack_.back().empty = false;
  after_key_ = true;
  // Keys are nearly always short and plain (this runs for every field of
  // every record): on one line, the comma, the quoted key and the colon
  // are appended in one piece.
  constexpr size_t kShort = 48;
  if (indent_ <= 0 && key.size() <= kShort && IsPlainJson(key)) {
    char piece[kShort + 4];
    char* p = piece;
    if (comma) {
      *p++ = ',';
    }
    *p++ = '"';
    std::memcpy(p, key.data(), key.size());
    p += key.size();
    *p++ = '"';
    *p++ = ':';
    out_->append(piece, static_cast<size_t>(p - piece));
    return;
  }
  if (comma) {
    out_->push_back(',');
  }
  NewLine(stack_.size());
  AppendJsonString(key, out_);
  out_->append(indent_ > 0 ? ": " : ":");
}

void JsonWriter::Open(char bracket, bool is_object) {
  BeforeValue();
  out_->push_back(bracket);
  stack_.push_back({is_object, true});
}

void JsonWriter::Close(char bracket) {
  assert(!stack_.empty() && !after_key_);
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) {
    NewLine(stack_.size());
  }
  out_->push_back(bracket);
}

void JsonWriter::BeginObject() { Open('{', true); }
void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::BeginArray() { Open('[', false); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::String(absl::string_view value) {
  BeforeValue();
  AppendJsonString(value, out_);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::RawNumber(absl::string_view text) {
  BeforeValue();
  out_->append(text.data(), text.size());
}

void JsonWriter::EpochSeconds(absl::Time t) {
  BeforeValue();
  AppendEpochSeconds(t, out_);
}

void JsonWriter::Seconds(absl::Duration d) {
  BeforeValue();
  AppendSeconds(d, out_);
}

}  // namespace tcpstate
