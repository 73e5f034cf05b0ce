#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analyzer/analysis_result.h"
#include "analyzer/capture/packet_source.h"
#include "analyzer/shard_merge.h"
#include "analyzer/shard_run.h"

namespace tcpstate {

// A --shard K/N part: what one shard's flow table did, for `tcpstate
// merge`. Versioned and self-describing:
//
//   "TCPSTATE-PART\n", the format version (varint), the header (below);
//   entries: a type byte (1 created, 2 finished), the payload's length
//   (varint), the payload: its ShardTag, then the shard's connection id
//   and the id it replaced (created) or the whole ConnectionRecord
//   (finished), in ShardTag order; a type byte 0;
//   the trailer (below); its byte offset as 8 little-endian bytes, and
//   "TCPSTATE-END\n". A part without that ending was not finished.
//
// The codec of the values is analyzer/part_codec.h.
inline constexpr uint64_t kPartFormatVersion = 2;  // 2: endpoint RTT summaries

struct PartHeader {
  std::string tcpstate_version;
  uint64_t shard = 0;   // K
  uint64_t shards = 1;  // N
  // AnalysisFingerprint of the options, and the capture filter.
  std::string fingerprint;
  std::string filter;
  std::vector<std::string> inputs;  // as given on the command line
};

struct PartTrailer {
  CaptureSummary summary;  // the connection counters are left at 0
  uint64_t created = 0;    // connections this shard created
  std::vector<InputInfo> inputs;
  std::string error;  // the input stopped on damage
  uint64_t digest = 0;  // of every frame read (ShardRun::digest)
};

struct PartEntry {
  enum class Type : uint8_t { kEnd = 0, kCreated = 1, kFinished = 2 };
  Type type = Type::kEnd;
  ShardTag tag;
  uint64_t id = 0;      // kCreated
  uint64_t reuses = 0;  // kCreated
  ConnectionRecord record;  // kFinished
};

// Writes a part to `out` as the shard's table goes (memory stays that of
// the open connections): the output of a ShardRun. Errors show on the
// stream (its state).
class PartWriter : public ShardRun::Output {
 public:
  PartWriter(std::ostream* out, const PartHeader& header);
  void Created(const ShardTag& tag, uint64_t id, uint64_t reuses) override;
  void Finished(const ShardTag& tag, ConnectionRecord&& rec) override;
  // Writes the trailer and the ending, and flushes.
  void Finish(const PartTrailer& trailer);

 private:
  void Entry(PartEntry::Type type);
  void Flush();

  std::ostream* out_;
  uint64_t offset_ = 0;  // bytes written before pending_
  std::string pending_;
  std::string payload_;
};

// Reads a part, bounds-checked: every error names the file and says what
// is wrong with it (not a part, another format version, unfinished,
// damaged at byte N).
class PartReader {
 public:
  static absl::StatusOr<std::unique_ptr<PartReader>> Open(
      const std::string& path);

  const PartHeader& header() const { return header_; }
  const PartTrailer& trailer() const { return trailer_; }
  // The next entry; kEnd once they are all read.
  absl::Status Next(PartEntry* entry);

 private:
  explicit PartReader(std::string path) : path_(std::move(path)) {}
  absl::Status Damaged(uint64_t offset, const std::string& what) const;
  absl::Status ReadHeader();
  absl::Status ReadTrailer(uint64_t size);

  std::string path_;
  std::ifstream in_;
  PartHeader header_;
  PartTrailer trailer_;
  uint64_t entries_end_ = 0;  // where the trailer starts
  uint64_t offset_ = 0;       // of the next entry
  std::string buffer_;
};

// Replays the parts of shards 0 to N-1 (`by_shard`, read from their first
// entry) into `merge` in ShardTag order: a single table's order. The
// capture's `end`, when there is one, goes to the collector before the
// first record that the end finished (or after all, if none).
absl::Status ReplayParts(const std::vector<PartReader*>& by_shard,
                         std::optional<absl::Time> end, ShardMerge& merge);

}  // namespace tcpstate
