#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "analyzer/analysis_result.h"
#include "analyzer/analyzer.h"
#include "analyzer/capture/packet_source.h"

namespace tcpstate {

// The byte encoding of --shard parts (analyzer/part_file.h): unsigned
// integers as LEB128 varints, signed ones zigzagged first, strings and
// lists with their length first, times and durations exactly (whole
// seconds and quarter nanoseconds, as absl::Duration holds them), optional
// values with a presence byte. Lossless: a record decoded renders as the
// one encoded in every format.
class PartEncoder {
 public:
  void U(uint64_t v);
  void I(int64_t v);
  void Byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Bool(bool v) { Byte(v ? 1 : 0); }
  void Str(absl::string_view s);
  void Dur(absl::Duration d);
  void Time(absl::Time t) { Dur(t - absl::UnixEpoch()); }

  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

// Reads what PartEncoder wrote, bounds-checked: a read past the end or a
// value out of range makes ok() false for good (the values read then are
// zero), so a damaged part is reported, never trusted.
class PartDecoder {
 public:
  explicit PartDecoder(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}
  explicit PartDecoder(absl::string_view bytes)
      : bytes_(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) {}

  uint64_t U();
  int64_t I();
  uint8_t Byte();
  bool Bool();
  std::string Str();
  absl::Duration Dur();
  absl::Time Time() { return absl::UnixEpoch() + Dur(); }
  // A value below `limit` (an enum's count), else fails.
  uint64_t Below(uint64_t limit);

  bool ok() const { return ok_; }
  bool done() const { return pos_ == bytes_.size(); }
  size_t remaining() const { return bytes_.size() - pos_; }
  size_t position() const { return pos_; }
  void Fail() { ok_ = false; }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void EncodeRecord(const ConnectionRecord& rec, PartEncoder& e);
void DecodeRecord(PartDecoder& d, ConnectionRecord* rec);

void EncodeSummary(const CaptureSummary& s, PartEncoder& e);
void DecodeSummary(PartDecoder& d, CaptureSummary* s);

void EncodeInput(const InputInfo& in, PartEncoder& e);
void DecodeInput(PartDecoder& d, InputInfo* in);

// Everything in `options` that changes the analysis (not the report):
// parts made with different bytes here cannot be merged.
std::string AnalysisFingerprint(const AnalyzerOptions& options);
// The options a fingerprint holds, into `options` (the others are left as
// they are). False if it does not decode.
bool DecodeAnalysisFingerprint(absl::string_view fingerprint,
                               AnalyzerOptions* options);

}  // namespace tcpstate
