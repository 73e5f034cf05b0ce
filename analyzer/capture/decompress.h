#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace tcpstate {

// Compressed captures (tshark reads them; so does tcpstate): gzip (also
// several members one after the other, as `cat a.gz b.gz` makes), zstd
// and xz, recognised by their magic bytes, on files and on standard input.
enum class Compression { kNone, kGzip, kZstd, kXz };

// "gzip", "zstd", "xz" ("" for kNone).
const char* CompressionName(Compression c);

// The compression `head` (the first bytes of an input, at least 6 when the
// input has them) starts with.
Compression DetectCompression(absl::Span<const uint8_t> head);

// A streaming decoder.
class Decompressor {
 public:
  static std::unique_ptr<Decompressor> Make(Compression c);
  virtual ~Decompressor() = default;

  // Decodes from the front of *in (which is advanced past what was used)
  // into `out`; sets *written. `end_of_input`: *in holds the last input
  // bytes. Returns a DataLoss error naming the damage; *finished becomes
  // true once the whole stream has been decoded.
  virtual absl::Status Decode(absl::Span<const uint8_t>* in,
                              absl::Span<uint8_t> out, bool end_of_input,
                              size_t* written, bool* finished) = 0;
};

}  // namespace tcpstate
