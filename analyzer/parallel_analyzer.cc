#include "analyzer/parallel_analyzer.h"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <thread>
#include <utility>

#include "analyzer/connection.h"
#include "analyzer/flow_table.h"
#include "analyzer/hash_mix.h"
#include "analyzer/shard_merge.h"
#include "analyzer/work_queue.h"

namespace tcpstate {
namespace {

// Frames per epoch: the shards' batches of one epoch are handed over and
// merged together. Large enough that the handovers cost nothing per
// packet, small enough that the batches in flight stay a few MiB.
constexpr size_t kEpochFrames = 16384;
// Batches per shard and direction: how far the reader may run ahead of a
// shard, and a shard ahead of the merger.
constexpr size_t kBatchesInFlight = 4;
// The shard hash's seed: fixed, so shards are the same in every run (and
// for --shard K/N on other machines).
constexpr uint64_t kShardSeed = 0x7463707374617465ull;  // "tcpstate"

// One step of a shard's work, in the global packet order.
struct ShardItem {
  // kEnd: the capture's end (everything open is written out); kStop: the
  // end of a capture with no packet.
  enum class Kind : uint8_t { kSegment, kSweep, kEnd, kStop };
  Kind kind = Kind::kSegment;
  SegmentContext context;  // a sweep or the end: the time, and the packet
                           // it follows
  TcpSegment segment;      // kSegment; its payload bytes stay behind
};

struct InBatch {
  std::vector<ShardItem> items;
};

using Tag = ShardTag;

// What a shard did, in its order: created a connection (`record` < 0),
// or finished one (records[record]).
struct Event {
  Tag tag;
  uint64_t id = 0;      // the shard's id: the creating packet
  uint64_t reuses = 0;  // a creation: the shard's id of the one replaced
  int32_t record = -1;
};

// A shard's events of one epoch come in one or more of these; a large
// sweep or the end of the capture is cut into several, so that records
// flow to the sink as they are finished instead of piling up.
struct OutBatch {
  static constexpr size_t kMaxRecords = 256;
  std::vector<Event> events;  // in tag order
  std::vector<ConnectionRecord> records;
  bool epoch_end = false;  // the epoch's last piece from this shard
  bool last = false;       // the capture's end epoch
  std::optional<absl::Time> end;  // with `last`: the capture's end time
};

}  // namespace

size_t ShardOf(const FlowKey& key, size_t shards) {
  // MurmurHash3's finalizer over the key hash, so that every bit of it
  // counts in the remainder (keys that differ only in a port spread evenly).
  return static_cast<size_t>(Fmix64(FlowKeyHash(key, kShardSeed)) % shards);
}

size_t DefaultThreads() {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return static_cast<size_t>(
      std::clamp<long>(online, 1, static_cast<long>(kMaxThreads)));
}

struct ParallelAnalyzer::Shard {
  explicit Shard(const FlowTableOptions& options) : table(options) {
    for (size_t i = 0; i < kBatchesInFlight; ++i) {
      in_free.Push(std::make_unique<InBatch>());
      out_free.Push(std::make_unique<OutBatch>());
    }
    table.SetCreatedHandler([this](uint64_t id, uint64_t reuses) {
      Tag t = tag;
      t.order = seq++;
      out->events.push_back(Event{t, id, reuses, -1});
    });
    table.SetFinishedHandler([this](ConnectionRecord&& rec) {
      Tag t = tag;
      t.order = t.phase == Tag::kSegment ? seq++ : rec.id;
      if (out->records.size() == OutBatch::kMaxRecords) {
        Send(/*epoch_end=*/false);
        if (out == nullptr) {
          return;  // stopped
        }
      }
      out->events.push_back(Event{t, rec.id, 0,
                                  static_cast<int32_t>(out->records.size())});
      out->records.push_back(std::move(rec));
    });
  }

  // The worker thread: each batch in, its events out.
  void Run() {
    while (std::optional<std::unique_ptr<InBatch>> in_batch = in.Pop()) {
      const bool last = Handle(**in_batch);
      in_free.Push(std::move(*in_batch));
      if (last) {
        return;
      }
    }
  }

  // Analyses one epoch's batch (and empties it); returns true at the end
  // of the capture or when stopped.
  bool Handle(InBatch& batch) {
    if (!TakeOut()) {
      return true;
    }
    const bool last = Process(batch);
    batch.items.clear();
    if (out == nullptr) {
      return true;
    }
    Send(/*epoch_end=*/true);
    return last;
  }

  bool TakeOut() {
    std::optional<std::unique_ptr<OutBatch>> b = out_free.Pop();
    if (!b) {
      return false;
    }
    out_holder = std::move(*b);
    out = out_holder.get();
    out->events.clear();
    out->records.clear();
    out->last = final_epoch;
    out->end = end;
    return true;
  }

  // Hands the current piece to the merger; takes a fresh one unless the
  // epoch is over. `out` is null when stopped.
  void Send(bool epoch_end) {
    out->epoch_end = epoch_end;
    out = nullptr;
    outq.Push(std::move(out_holder));
    if (!epoch_end) {
      TakeOut();
    }
  }

  // Returns true at the end of the capture.
  bool Process(const InBatch& batch) {
    for (const ShardItem& item : batch.items) {
      if (out == nullptr) {
        return true;  // stopped
      }
      tag = Tag{item.context.packet, Tag::kSegment, 0};
      switch (item.kind) {
        case ShardItem::Kind::kSegment:
          table.OnSegment(item.segment, item.context);
          break;
        case ShardItem::Kind::kSweep:
          tag.phase = Tag::kSweep;
          table.Expire(item.context.t);
          break;
        case ShardItem::Kind::kEnd:
          tag = Tag{std::numeric_limits<uint64_t>::max(), Tag::kEnd, 0};
          final_epoch = true;
          end = item.context.t;
          out->last = true;
          out->end = end;
          table.FlushAll(item.context.t);
          return true;
        case ShardItem::Kind::kStop:
          final_epoch = true;
          out->last = true;
          return true;
      }
    }
    return false;
  }

  void Close() {
    in.Close();
    in_free.Close();
    outq.Close();
    out_free.Close();
  }

  FlowTable table;
  WorkQueue<std::unique_ptr<InBatch>> in;         // reader -> worker
  WorkQueue<std::unique_ptr<InBatch>> in_free;    // worker -> reader
  WorkQueue<std::unique_ptr<OutBatch>> outq;      // worker -> merger
  WorkQueue<std::unique_ptr<OutBatch>> out_free;  // merger -> worker
  std::unique_ptr<InBatch> current;  // the reader's, being filled
  std::thread thread;
  // The worker's.
  std::unique_ptr<OutBatch> out_holder;
  OutBatch* out = nullptr;  // being filled
  Tag tag;                  // of what happens next
  uint64_t seq = 0;
  bool final_epoch = false;
  std::optional<absl::Time> end;
};

// Takes the shards' events epoch by epoch and replays them in a single
// table's order: creations get the next id, finished records their final
// id, then go to the collector.
class ParallelAnalyzer::Merger {
 public:
  Merger(const AnalyzerOptions& options, ConnectionSink* sink,
         std::vector<std::unique_ptr<Shard>>& shards)
      : shards_(shards),
        merge_(CollectorOptionsOf(options), sink, shards.size()),
        cursors_(shards.size()) {}

  void Run() {
    while (true) {
      for (size_t i = 0; i < shards_.size(); ++i) {
        if (!Next(i)) {
          return;  // stopped early
        }
      }
      const OutBatch& first = *cursors_[0].batch;
      const bool last = first.last;
      if (last && first.end) {
        merge_.collector().SetCaptureEnd(*first.end);
      }
      if (!MergeEpoch()) {
        return;
      }
      if (last) {
        return;
      }
    }
  }

  RecordCollector& collector() { return merge_.collector(); }

 private:
  struct Cursor {
    std::unique_ptr<OutBatch> batch;
    size_t at = 0;
  };

  // Takes shard i's next piece (returning the one done with).
  bool Next(size_t i) {
    Cursor& c = cursors_[i];
    if (c.batch != nullptr) {
      // The shard clears it: what its records hold goes back to the
      // allocator of the thread that allocated it.
      shards_[i]->out_free.Push(std::move(c.batch));
    }
    std::optional<std::unique_ptr<OutBatch>> b = shards_[i]->outq.Pop();
    if (!b) {
      return false;
    }
    c.batch = std::move(*b);
    c.at = 0;
    return true;
  }

  // Whether shard i has an event left in this epoch (taking its next piece
  // when the current one is used up).
  bool Has(size_t i, bool* stopped) {
    Cursor& c = cursors_[i];
    while (c.at == c.batch->events.size()) {
      if (c.batch->epoch_end) {
        return false;
      }
      if (!Next(i)) {
        *stopped = true;
        return false;
      }
    }
    return true;
  }

  bool MergeEpoch() {
    const size_t n = shards_.size();
    bool stopped = false;
    while (true) {
      size_t best = n;
      for (size_t i = 0; i < n; ++i) {
        if (Has(i, &stopped) &&
            (best == n || cursors_[i].batch->events[cursors_[i].at].tag <
                              cursors_[best].batch->events[cursors_[best].at].tag)) {
          best = i;
        }
      }
      if (stopped) {
        return false;
      }
      if (best == n) {
        return true;
      }
      Cursor& c = cursors_[best];
      Apply(best, c.batch->events[c.at++]);
    }
  }

  void Apply(size_t shard, const Event& e) {
    if (e.record < 0) {
      merge_.Created(shard, e.id, e.reuses);
      return;
    }
    merge_.Finished(
        shard, std::move(cursors_[shard]
                             .batch->records[static_cast<size_t>(e.record)]));
  }

  std::vector<std::unique_ptr<Shard>>& shards_;
  ShardMerge merge_;
  std::vector<Cursor> cursors_;
};

ParallelAnalyzer::ParallelAnalyzer(const AnalyzerOptions& options,
                                   size_t shards, ConnectionSink* sink)
    : options_(options), front_(options.reassembly) {
  front_.summary().max_connections = Analyzer::EffectiveMaxConnections(options);
  shards = std::max<size_t>(1, shards);
  FlowTableOptions table = FlowTableOptionsOf(options, shards);
  table.ids_are_packets = true;
  for (size_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(table));
    shards_.back()->current = *shards_.back()->in_free.Pop();
  }
  merger_ = std::make_unique<Merger>(options, sink, shards_);
  for (size_t i = 1; i < shards_.size(); ++i) {
    shards_[i]->thread = std::thread([shard = shards_[i].get()] { shard->Run(); });
  }
  merger_thread_ = std::thread([m = merger_.get()] { m->Run(); });
}

ParallelAnalyzer::~ParallelAnalyzer() { Stop(); }

void ParallelAnalyzer::Stop() {
  for (std::unique_ptr<Shard>& s : shards_) {
    s->Close();
  }
  for (std::unique_ptr<Shard>& s : shards_) {
    if (s->thread.joinable()) {
      s->thread.join();
    }
  }
  if (merger_thread_.joinable()) {
    merger_thread_.join();
  }
}

void ParallelAnalyzer::OnFrame(const Frame& frame) {
  const absl::Time now = front_.Take(
      frame, [this](const TcpSegment& seg, const SegmentContext& context) {
        Route(seg, context);
      });
  if (!first_time_) {
    first_time_ = front_.summary().first_packet_time;
  }
  // FlowTable::Expire's own rule, so that every shard sweeps exactly when
  // a single table would.
  if (now - last_sweep_ >= options_.sweep_interval) {
    last_sweep_ = now;
    ShardItem sweep;
    sweep.kind = ShardItem::Kind::kSweep;
    sweep.context = SegmentContext{frame.number, now};
    for (std::unique_ptr<Shard>& s : shards_) {
      s->current->items.push_back(sweep);
    }
  }
  if (++frames_in_epoch_ >= kEpochFrames) {
    Publish();
  }
}

void ParallelAnalyzer::Route(const TcpSegment& seg,
                             const SegmentContext& context) {
  bool from_low = false;
  Shard& shard = *shards_[ShardOf(FlowKey::Of(seg, &from_low), shards_.size())];
  ShardItem& item = shard.current->items.emplace_back();
  item.kind = ShardItem::Kind::kSegment;
  item.context = context;
  item.segment = seg;
  item.segment.payload = {};  // the frame's bytes are gone by then
}

// Shard 0 is analysed here, on the reading thread, once the other shards
// have their batches of the epoch (the merger needs them all to go on, so
// this thread may wait for it only after handing them over).
void ParallelAnalyzer::Publish() {
  frames_in_epoch_ = 0;
  for (size_t i = 1; i < shards_.size(); ++i) {
    shards_[i]->in.Push(std::move(shards_[i]->current));
  }
  shards_[0]->Handle(*shards_[0]->current);
  for (size_t i = 1; i < shards_.size(); ++i) {
    shards_[i]->current = *shards_[i]->in_free.Pop();
  }
}

AnalysisResult ParallelAnalyzer::Finish() {
  const std::optional<absl::Time> end = front_.summary().last_packet_time;
  front_.Finish(end);
  // The end goes in an epoch of its own, so the merger can tell the SYN
  // flood analysis the capture's end before the last records.
  Publish();
  ShardItem done;
  done.kind = end ? ShardItem::Kind::kEnd : ShardItem::Kind::kStop;
  done.context.t = end.value_or(absl::UnixEpoch());
  for (std::unique_ptr<Shard>& s : shards_) {
    s->current->items.push_back(done);
  }
  Publish();
  for (size_t i = 1; i < shards_.size(); ++i) {
    shards_[i]->thread.join();
  }
  merger_thread_.join();
  uint64_t created = 0;
  for (std::unique_ptr<Shard>& s : shards_) {
    created += s->table.created();
  }
  return merger_->collector().Finish(front_.summary(), created);
}

}  // namespace tcpstate
