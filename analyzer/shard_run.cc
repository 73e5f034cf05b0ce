#include "analyzer/shard_run.h"

#include <limits>
#include <utility>

#include "analyzer/flow_table.h"
#include "analyzer/hash_mix.h"
#include "analyzer/parallel_analyzer.h"

namespace tcpstate {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  return Fmix64(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
}

// The frame's bytes, eight at a time (the tail zero-padded).
uint64_t MixBytes(uint64_t h, absl::Span<const uint8_t> bytes) {
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w = 0;
    for (size_t k = 0; k < 8; ++k) {
      w |= uint64_t{bytes[i + k]} << (8 * k);
    }
    h = Mix(h, w);
  }
  uint64_t w = 0;
  for (size_t k = 0; i + k < bytes.size(); ++k) {
    w |= uint64_t{bytes[i + k]} << (8 * k);
  }
  return Mix(h, w);
}

}  // namespace

ShardRun::ShardRun(const AnalyzerOptions& options, size_t shard,
                   size_t shards, Output* out)
    : shard_(shard), shards_(shards), out_(out), front_(options.reassembly) {
  front_.summary().max_connections = Analyzer::EffectiveMaxConnections(options);
  FlowTableOptions table = FlowTableOptionsOf(options, shards);
  table.ids_are_packets = true;
  table_ = std::make_unique<FlowTable>(table);
  table_->SetCreatedHandler([this](uint64_t id, uint64_t reuses) {
    ShardTag t = tag_;
    t.order = seq_++;
    out_->Created(t, id, reuses);
  });
  table_->SetFinishedHandler([this](ConnectionRecord&& rec) {
    ShardTag t = tag_;
    t.order = t.phase == ShardTag::kSegment ? seq_++ : rec.id;
    out_->Finished(t, std::move(rec));
  });
}

ShardRun::~ShardRun() = default;

uint64_t ShardRun::created() const { return table_->created(); }

void ShardRun::OnFrame(const Frame& frame) {
  digest_ = Mix(digest_, static_cast<uint64_t>(absl::ToUnixNanos(frame.timestamp)));
  digest_ = Mix(digest_, (uint64_t{frame.wire_length} << 32) | frame.bytes.size());
  digest_ = MixBytes(digest_, frame.bytes.subspan(0, 64));
  const absl::Time now = front_.Take(
      frame, [this](const TcpSegment& seg, const SegmentContext& context) {
        bool from_low = false;
        if (ShardOf(FlowKey::Of(seg, &from_low), shards_) != shard_) {
          return;
        }
        tag_ = ShardTag{context.packet, ShardTag::kSegment, 0};
        table_->OnSegment(seg, context);
      });
  // The sweep after this frame, when the table's own rule says it is due
  // (as in every shard and in a single table).
  tag_ = ShardTag{frame.number, ShardTag::kSweep, 0};
  table_->Expire(now);
}

CaptureSummary ShardRun::Finish() {
  const std::optional<absl::Time> end = front_.summary().last_packet_time;
  front_.Finish(end);
  if (end) {
    tag_ = ShardTag{std::numeric_limits<uint64_t>::max(), ShardTag::kEnd, 0};
    table_->FlushAll(*end);
  }
  return front_.summary();
}

}  // namespace tcpstate
