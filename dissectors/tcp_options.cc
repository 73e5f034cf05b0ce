#include "dissectors/tcp_options.h"

#include "dissectors/byte_reader.h"

namespace tcpstate {
namespace {

constexpr size_t kSackBlockSize = 8;

void ParseSack(absl::Span<const uint8_t> value, TcpOptions& options) {
  ByteReader reader(value);
  while (reader.remaining() >= kSackBlockSize &&
         options.sack_block_count < options.sack_blocks.size()) {
    SackBlock& block = options.sack_blocks[options.sack_block_count++];
    block.left = SeqNum(*reader.ReadU32());
    block.right = SeqNum(*reader.ReadU32());
  }
}

// Applies one complete option; `value` excludes the kind and length bytes.
// Returns false when the length does not suit the kind.
bool ApplyOption(uint8_t kind, absl::Span<const uint8_t> value,
                 TcpOptions& options) {
  ByteReader reader(value);
  switch (kind) {
    case TcpOptionKind::kMss:
      if (value.size() != 2) {
        return false;
      }
      options.mss = *reader.ReadU16();
      return true;
    case TcpOptionKind::kWindowScale:
      if (value.size() != 1) {
        return false;
      }
      options.window_scale = value[0];
      return true;
    case TcpOptionKind::kSackPermitted:
      if (!value.empty()) {
        return false;
      }
      options.sack_permitted = true;
      return true;
    case TcpOptionKind::kSack:
      if (value.empty() || value.size() % kSackBlockSize != 0) {
        return false;
      }
      ParseSack(value, options);
      return true;
    case TcpOptionKind::kTimestamps:
      if (value.size() != 8) {
        return false;
      }
      options.timestamps = TcpTimestamps{*reader.ReadU32(), *reader.ReadU32()};
      return true;
    case TcpOptionKind::kFastOpen:
      options.tfo = true;
      options.tfo_cookie_len = static_cast<uint8_t>(value.size());
      return true;
    case TcpOptionKind::kExperimental:
      if (value.size() >= 2 && *reader.ReadU16() == kFastOpenExperimentId) {
        options.tfo = true;
        options.tfo_cookie_len = static_cast<uint8_t>(value.size() - 2);
        return true;
      }
      break;
    default:
      break;
  }
  ++options.unknown_count;
  return true;
}

}  // namespace

TcpOptions ParseTcpOptions(absl::Span<const uint8_t> captured,
                           size_t declared_length) {
  TcpOptions options;
  size_t at = 0;
  while (at < declared_length) {
    if (at >= captured.size()) {
      options.truncated = true;
      break;
    }
    const uint8_t kind = captured[at];
    if (kind == TcpOptionKind::kEnd) {
      break;
    }
    if (kind == TcpOptionKind::kNop) {
      ++at;
      continue;
    }
    if (at + 1 >= declared_length) {
      options.malformed = true;  // no room for a length byte
      break;
    }
    if (at + 1 >= captured.size()) {
      options.truncated = true;
      break;
    }
    const size_t length = captured[at + 1];
    if (length < 2 || at + length > declared_length) {
      options.malformed = true;
      break;
    }
    if (at + length > captured.size()) {
      options.truncated = true;
      break;
    }
    if (!ApplyOption(kind, captured.subspan(at + 2, length - 2), options)) {
      options.malformed = true;
    }
    at += length;
  }
  return options;
}

}  // namespace tcpstate
