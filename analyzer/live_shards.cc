#include "analyzer/live_shards.h"

#include <algorithm>
#include <map>
#include <utility>

#include "analyzer/connection.h"
#include "analyzer/flow_key.h"
#include "analyzer/flow_table.h"
#include "analyzer/frame_front.h"
#include "analyzer/parallel_analyzer.h"

namespace tcpstate {

void AddCaptureSummary(CaptureSummary& into, const CaptureSummary& more) {
  into.packets += more.packets;
  into.bytes += more.bytes;
  into.tcp_packets += more.tcp_packets;
  into.timestamps_backwards += more.timestamps_backwards;
  if (more.first_packet_time &&
      (!into.first_packet_time ||
       *more.first_packet_time < *into.first_packet_time)) {
    into.first_packet_time = more.first_packet_time;
  }
  if (more.last_packet_time &&
      (!into.last_packet_time ||
       *more.last_packet_time > *into.last_packet_time)) {
    into.last_packet_time = more.last_packet_time;
  }
  for (size_t i = 0; i < into.decode.values.size(); ++i) {
    into.decode.values[i] += more.decode.values[i];
  }
}

LiveSnapshot MergeSnapshots(const std::vector<LiveSnapshot>& parts,
                            size_t max_lingering) {
  LiveSnapshot snap;
  std::map<std::pair<TcpState, TcpState>, uint64_t> pairs;
  for (const LiveSnapshot& p : parts) {
    snap.now = std::max(snap.now, p.now);
    snap.open += p.open;
    snap.created += p.created;
    snap.lingering_total += p.lingering_total;
    snap.active_total += p.active_total;
    snap.sort = p.sort;
    snap.active.insert(snap.active.end(), p.active.begin(), p.active.end());
    for (const LiveSnapshot::PairCount& c : p.pairs) {
      pairs[{c.client, c.server}] += c.count;
    }
    snap.lingering.insert(snap.lingering.end(), p.lingering.begin(),
                          p.lingering.end());
  }
  OrderSnapshot(pairs, max_lingering, snap);
  return snap;
}

namespace {

// A segment waiting for its turn: by capture time, then packet number.
struct Pending {
  TcpSegment segment;
  SegmentContext context;
};

struct Later {
  bool operator()(const Pending& a, const Pending& b) const {
    const absl::Time ta = a.context.t, tb = b.context.t;
    return ta != tb ? ta > tb : a.context.packet > b.context.packet;
  }
};

}  // namespace

struct LiveShards::Worker {
  Worker(const AnalyzerOptions& options, const FlowTableOptions& table_options)
      : front(options.reassembly), table(table_options) {}

  mutable std::mutex mu;  // front, table, clock, queue: the worker's
  FrameFront front;
  FlowTable table;
  std::optional<absl::Time> clock;
  // The worker's segments, its own and those handed over, analysed in
  // capture-time order once kReorderDelay old (a min-heap).
  std::vector<Pending> queue;
  std::mutex inbox_mu;  // segments handed over by the other workers
  std::vector<Pending> inbox;
  std::vector<Pending> taken;  // reused
};

LiveShards::LiveShards(const AnalyzerOptions& options, size_t workers,
                       ConnectionSink* sink)
    : options_(options),
      sink_(sink),
      collector_(std::make_unique<RecordCollector>(CollectorOptionsOf(options),
                                                   sink)) {
  workers = std::max<size_t>(1, workers);
  FlowTableOptions table = FlowTableOptionsOf(options, workers);
  table.shared_ids = &next_id_;
  for (size_t i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(options, table));
    Worker* w = workers_.back().get();
    // Called with w->mu held (by OnFrame, Poll or Finish).
    w->table.SetFinishedHandler([this, w](ConnectionRecord&& rec) {
      Drain(*w);
      std::lock_guard<std::mutex> lock(out_mu_);
      collector_->Add(std::move(rec));
    });
  }
}

LiveShards::~LiveShards() = default;

void LiveShards::OnFrame(size_t w, const Frame& frame) {
  Worker& me = *workers_[w];
  std::lock_guard<std::mutex> lock(me.mu);
  me.front.Take(frame, [&](const TcpSegment& seg, const SegmentContext& ctx) {
    bool from_low = false;
    const size_t owner = ShardOf(FlowKey::Of(seg, &from_low), workers_.size());
    Pending p{seg, ctx};
    p.segment.payload = {};  // the frame's bytes are gone by then
    if (owner == w) {
      me.queue.push_back(p);
      std::push_heap(me.queue.begin(), me.queue.end(), Later());
      return;
    }
    wrong_shard_.fetch_add(1, std::memory_order_relaxed);
    Worker& other = *workers_[owner];
    std::lock_guard<std::mutex> inbox(other.inbox_mu);
    other.inbox.push_back(p);
  });
  Drain(me);
}

void LiveShards::TakeInbox(Worker& w) {
  {
    std::lock_guard<std::mutex> inbox(w.inbox_mu);
    w.taken.swap(w.inbox);
  }
  for (Pending& p : w.taken) {
    w.queue.push_back(std::move(p));
    std::push_heap(w.queue.begin(), w.queue.end(), Later());
  }
  w.taken.clear();
}

void LiveShards::AnalyseUpTo(Worker& w, absl::Time until) {
  while (!w.queue.empty() && absl::Time(w.queue.front().context.t) <= until) {
    std::pop_heap(w.queue.begin(), w.queue.end(), Later());
    Pending& p = w.queue.back();
    // Numbered as analysed: in capture-time order within every flow (the
    // sockets read in their own orders).
    p.context.packet = next_packet_.fetch_add(1, std::memory_order_relaxed);
    w.table.OnSegment(p.segment, p.context);
    w.queue.pop_back();
  }
}

void LiveShards::Poll(size_t w, absl::Time now) {
  Worker& me = *workers_[w];
  std::lock_guard<std::mutex> lock(me.mu);
  TakeInbox(me);
  AnalyseUpTo(me, now - kReorderDelay);
  if (!me.clock || now > *me.clock) {
    me.clock = now;
    me.front.ExpireFragments(now);
    me.table.Expire(now);
  }
  Drain(me);
}

void LiveShards::Drain(Worker& w) {
  std::vector<StateChangeEvent> states = w.table.TakeStateEvents();
  std::vector<AnomalyEvent> anomalies = w.table.TakeAnomalyEvents();
  if (sink_ == nullptr || (states.empty() && anomalies.empty())) {
    return;
  }
  std::lock_guard<std::mutex> lock(out_mu_);
  for (const StateChangeEvent& e : states) {
    sink_->OnStateChange(e);
  }
  for (const AnomalyEvent& e : anomalies) {
    sink_->OnAnomaly(e);
  }
}

LiveSnapshot LiveShards::Snapshot(absl::Time now, size_t max_rows,
                                  LiveSort sort) {
  std::vector<LiveSnapshot> parts;
  for (const std::unique_ptr<Worker>& w : workers_) {
    std::lock_guard<std::mutex> lock(w->mu);
    parts.push_back(w->table.Snapshot(now, max_rows, sort));
  }
  return MergeSnapshots(parts, max_rows);
}

AnalysisResult LiveShards::Finish(absl::Time stopped) {
  // The end: the stop, or the latest packet if a clock put it later.
  absl::Time end = stopped;
  for (std::unique_ptr<Worker>& w : workers_) {
    std::lock_guard<std::mutex> lock(w->mu);
    TakeInbox(*w);
    AnalyseUpTo(*w, absl::InfiniteFuture());
    Drain(*w);
    const std::optional<absl::Time>& last = w->front.summary().last_packet_time;
    if (last && *last > end) {
      end = *last;
    }
  }
  CaptureSummary summary;
  uint64_t created = 0;
  for (std::unique_ptr<Worker>& w : workers_) {
    std::lock_guard<std::mutex> lock(w->mu);
    w->front.Finish(end);
    AddCaptureSummary(summary, w->front.summary());
    created += w->table.created();
  }
  {
    std::lock_guard<std::mutex> lock(out_mu_);
    collector_->SetCaptureEnd(end);
  }
  for (std::unique_ptr<Worker>& w : workers_) {
    std::lock_guard<std::mutex> lock(w->mu);
    w->table.FlushAll(end);
    Drain(*w);
  }
  summary.max_connections = Analyzer::EffectiveMaxConnections(options_);
  std::lock_guard<std::mutex> lock(out_mu_);
  return collector_->Finish(summary, created);
}

}  // namespace tcpstate
