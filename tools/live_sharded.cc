// tcpstate -i with --threads N: one socket per worker in a PACKET_FANOUT
// group; signals, the live view and the final report on the main thread.
#include "tools/live_sharded.h"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "analyzer/capture/live_source.h"
#include "analyzer/live_shards.h"
#include "reports/escape.h"
#include "tools/live_parts.h"
#include "tools/version.h"

namespace tcpstate {
namespace {

using live_parts::Fail;
using live_parts::LiveSink;

// What the workers and the main thread share.
struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<bool> drain{false};  // read what is waiting once stopped
  std::atomic<uint64_t> packets{0};
  std::optional<uint64_t> count;  // -c
  std::mutex mu;                  // stop_reason, error
  std::string stop_reason;
  std::string error;

  void Stop(const std::string& reason, const std::string& why = "") {
    std::lock_guard<std::mutex> lock(mu);
    if (stop_reason.empty()) {
      stop_reason = reason;
      error = why;
    }
    stop.store(true);
  }
};

// Reads what socket `w` holds, at most kMaxBatch frames. False on error.
bool ReadBatch(size_t w, LiveSource& source, LiveShards& shards,
               Shared& shared) {
  for (size_t i = 0; i < live_parts::kMaxBatch; ++i) {
    absl::StatusOr<std::optional<Frame>> next = source.Next();
    if (!next.ok()) {
      shared.Stop("error", std::string(next.status().message()));
      return false;
    }
    if (!next->has_value()) {
      return true;
    }
    Frame frame = **next;
    const uint64_t n = shared.packets.fetch_add(1) + 1;
    if (shared.count && n > *shared.count) {
      return true;  // another worker took the last one
    }
    frame.number = n;  // across every socket
    shards.OnFrame(w, frame);
    if (shared.count && n == *shared.count) {
      shared.Stop("count");
      return true;
    }
  }
  return true;
}

// A worker: its socket until told to stop; then, stopped by a signal or
// the duration, what the kernel already holds for it.
void Work(size_t w, LiveSource& source, LiveShards& shards, Shared& shared) {
  pollfd fd = {source.selectable_fd(), POLLIN, 0};
  const int wait_ms = static_cast<int>(
      absl::ToInt64Milliseconds(live_parts::kLiveSweep));
  while (!shared.stop.load()) {
    poll(&fd, 1, wait_ms);
    if (!ReadBatch(w, source, shards, shared)) {
      break;
    }
    shards.Poll(w, absl::Now());
  }
  if (shared.drain.load()) {
    ReadBatch(w, source, shards, shared);
  }
}

// The capture statistics of every socket, summed.
LiveCaptureInfo CaptureInfo(const CliOptions& options,
                            const std::vector<std::unique_ptr<LiveSource>>& sources,
                            absl::Time started, absl::Time stopped,
                            const std::string& reason) {
  LiveCaptureInfo info;
  info.interface = options.live.interface;
  info.started = started;
  info.stopped = stopped;
  info.stop_reason = reason;
  for (const std::unique_ptr<LiveSource>& s : sources) {
    absl::StatusOr<LiveStats> stats = s->Stats();
    if (stats.ok()) {
      info.received += stats->received;
      info.dropped_by_kernel += stats->dropped_by_kernel;
      info.dropped_by_interface += stats->dropped_by_interface;
    }
  }
  return info;
}

// N sockets in one new fanout group; the first writes the -w file for all.
absl::StatusOr<std::vector<std::unique_ptr<LiveSource>>> OpenSources(
    const CliOptions& options, size_t n) {
  std::vector<std::unique_ptr<LiveSource>> sources;
  LiveSourceOptions o = live_parts::SourceOptions(options);
  o.fanout = true;
  for (size_t i = 0; i < n; ++i) {
    absl::StatusOr<std::unique_ptr<LiveSource>> s = LiveSource::Open(o);
    if (!s.ok()) {
      return s.status();
    }
    sources.push_back(std::move(*s));
    if (i == 0) {
      o.fanout_group = sources[0]->fanout_group();
      o.save_file.clear();
    } else {
      sources.back()->ShareSaveFile(*sources[0]);
    }
  }
  return sources;
}

// The main thread: signals, --duration, the view; returns the stop reason.
void Wait(const CliOptions& options, LiveShards& shards, LiveSink& sink,
          Shared& shared, live_parts::SignalPipe& signals,
          live_parts::Terminal* terminal,
          const std::vector<std::unique_ptr<LiveSource>>& sources,
          absl::Time started) {
  using Key = live_parts::Terminal::Key;
  pollfd fds[2] = {{signals.fd(), POLLIN, 0},
                   {terminal != nullptr ? terminal->key_fd() : -1, POLLIN, 0}};
  absl::Time next_draw = started;
  uint64_t drawn_packets = 0;
  absl::Time drawn_at = started;
  while (!shared.stop.load()) {
    poll(fds, 2, live_parts::kPollMillis);
    const absl::Time now = absl::Now();
    if (live_parts::g_signal != 0) {
      shared.drain.store(true);
      shared.Stop("signal");
    }
    const Key key = terminal != nullptr ? terminal->ReadKeys() : Key::kNone;
    if (key == Key::kQuit) {
      shared.drain.store(true);
      shared.Stop("quit");
    } else if (key == Key::kSort) {
      terminal->NextSort();
      next_draw = absl::InfinitePast();  // redraw now
    }
    const std::optional<absl::Duration>& limit = options.live.duration;
    if (limit && now - started >= *limit) {
      shared.drain.store(true);
      shared.Stop("duration");
    }
    sink.Flush();
    if (terminal != nullptr && now >= next_draw && !shared.stop.load()) {
      LiveViewModel m;
      m.interface = options.live.interface;
      m.filter = options.filter;
      m.now = now;
      m.running = now - started;
      m.packets = shared.packets.load();
      const double secs = absl::ToDoubleSeconds(now - drawn_at);
      m.packets_per_second =
          secs > 0 ? static_cast<double>(m.packets - drawn_packets) / secs : 0;
      m.dropped = CaptureInfo(options, sources, started, now, "")
                      .dropped_by_kernel;
      m.table = shards.Snapshot(now, /*max_rows=*/200, terminal->sort());
      m.recent = sink.recent();
      terminal->Draw(m);
      drawn_at = now;
      drawn_packets = m.packets;
      next_draw = now + live_parts::kViewRefresh;
    }
  }
}

}  // namespace

int RunLiveSharded(const CliOptions& options, const LiveHooks& hooks,
                   size_t threads) {
  absl::StatusOr<std::vector<std::unique_ptr<LiveSource>>> sources =
      OpenSources(options, threads);
  if (!sources.ok()) {
    return Fail(sources.status().message());
  }
  std::ofstream file;
  // Before any worker starts: each inherits the dropped privileges.
  const absl::StatusOr<std::ostream*> opened =
      live_parts::OpenOutputThenDrop(options, file);
  if (!opened.ok()) {
    return Fail(opened.status().message());
  }
  std::ostream& out = **opened;
  live_parts::SignalPipe signals;
  if (!signals.Install()) {
    return Fail("cannot install the signal handlers");
  }
  std::cerr << "tcpstate: listening on " << TerminalSafe(options.live.interface)
            << ", link-type " << (*sources)[0]->info().link_type
            << ", snapshot length " << options.live.snaplen << " bytes ("
            << threads << " sockets in PACKET_FANOUT group "
            << (*sources)[0]->fanout_group() << ")" << std::endl;
  const bool jsonl = options.format == ReportFormat::kJsonl;
  const bool stream_to_stdout = jsonl && options.output.empty();
  live_parts::Terminal terminal;
  const bool view = isatty(STDOUT_FILENO) == 1 && !stream_to_stdout;
  LiveSink sink(jsonl ? &out : nullptr, options.live.events);
  const AnalyzerOptions analyzer_options =
      live_parts::LiveAnalyzerOptions(options, hooks.analyzer);
  LiveShards shards(analyzer_options, threads, &sink);
  Shared shared;
  if (options.live.count) {
    shared.count = *options.live.count;
  }
  const absl::Time started = absl::Now();
  if (view) {
    terminal.Enter();
  }
  std::vector<std::thread> workers;
  for (size_t i = 0; i < threads; ++i) {
    workers.emplace_back([i, &sources, &shards, &shared] {
      Work(i, *(*sources)[i], shards, shared);
    });
  }
  Wait(options, shards, sink, shared, signals, view ? &terminal : nullptr,
       *sources, started);
  for (std::thread& t : workers) {
    t.join();
  }
  if (view) {
    terminal.Leave();
  }
  const absl::Time stopped = absl::Now();
  AnalysisResult result = shards.Finish(stopped);
  result.tcpstate_version = TcpstateVersion();
  InputInfo input = (*sources)[0]->info();
  input.packets = 0;
  input.bytes = 0;
  for (const std::unique_ptr<LiveSource>& s : *sources) {
    s->Flush();
    input.packets += s->info().packets;
    input.bytes += s->info().bytes;
  }
  result.inputs = {input};
  result.error = shared.error;
  result.live = CaptureInfo(options, *sources, started, stopped,
                            shared.stop_reason);
  result.live->wrong_shard = shards.wrong_shard();
  result.live->sockets = static_cast<uint32_t>(threads);
  return hooks.report(options, result, sink.tally(), out);
}

}  // namespace tcpstate
