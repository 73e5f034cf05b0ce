#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace tcpstate {

// A string kept in 16 bytes (std::string takes 32): up to 15 characters
// inline, a longer one in a heap block. For per-connection text that is
// short in the common case (a Zeek history: "ShADadFf").
class ShortString {
 public:
  ShortString() { bytes_[kTag] = 0; }
  ~ShortString() { delete heap(); }
  ShortString(const ShortString&) = delete;
  ShortString& operator=(const ShortString&) = delete;
  ShortString(ShortString&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    other.bytes_[kTag] = 0;
  }
  ShortString& operator=(ShortString&& other) noexcept {
    if (this != &other) {
      delete heap();
      std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
      other.bytes_[kTag] = 0;
    }
    return *this;
  }

  size_t size() const { return on_heap() ? heap()->size() : InlineSize(); }
  bool empty() const { return size() == 0; }
  char operator[](size_t i) const { return data()[i]; }
  absl::string_view view() const { return absl::string_view(data(), size()); }
  std::string str() const { return std::string(data(), size()); }

  void push_back(char c) {
    if (on_heap()) {
      heap()->push_back(c);
      return;
    }
    const size_t n = InlineSize();
    if (n < kInline) {
      bytes_[n] = c;
      bytes_[kTag] = static_cast<char>(n + 1);
      return;
    }
    std::string* s = new std::string(bytes_, n);
    s->push_back(c);
    SetHeap(s);
  }
  void push_front(char c) {
    if (on_heap()) {
      heap()->insert(heap()->begin(), c);
      return;
    }
    const size_t n = InlineSize();
    if (n < kInline) {
      std::memmove(bytes_ + 1, bytes_, n);
      bytes_[0] = c;
      bytes_[kTag] = static_cast<char>(n + 1);
      return;
    }
    std::string* s = new std::string(1, c);
    s->append(bytes_, n);
    SetHeap(s);
  }

 private:
  static constexpr size_t kInline = 15;
  static constexpr size_t kTag = 15;  // size, or kOnHeap
  static constexpr char kOnHeap = static_cast<char>(0xFF);

  bool on_heap() const { return bytes_[kTag] == kOnHeap; }
  size_t InlineSize() const {
    return static_cast<uint8_t>(bytes_[kTag]);
  }
  std::string* heap() const {
    if (!on_heap()) {
      return nullptr;
    }
    std::string* s;
    std::memcpy(&s, bytes_, sizeof(s));
    return s;
  }
  void SetHeap(std::string* s) {
    std::memcpy(bytes_, &s, sizeof(s));
    bytes_[kTag] = kOnHeap;
  }
  const char* data() const { return on_heap() ? heap()->data() : bytes_; }

  char bytes_[16];
};

}  // namespace tcpstate
