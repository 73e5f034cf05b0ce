#pragma once

#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/ip_reassembly.h"
#include "dissectors/decode.h"
#include "dissectors/frame.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

struct SegmentContext;

// The first stage of every analysis, single-threaded or sharded: counts a
// frame into the capture summary, moves the capture clock, decodes it
// (links, tunnels) and puts IP fragments back together, and hands the TCP
// segment it carries, if any, on. Nothing here depends on flow state, so a
// sharded run does this once, on the reader, before choosing a shard (a
// non-first fragment carries no ports).
class FrameFront {
 public:
  using SegmentFn =
      absl::FunctionRef<void(const TcpSegment&, const SegmentContext&)>;

  explicit FrameFront(const ReassemblyOptions& reassembly);

  // Returns the capture time after the frame: the latest timestamp so far
  // (capture time never moves backwards, even if a record's does).
  absl::Time Take(const Frame& frame, SegmentFn on_segment);

  // Live mode: the clock moved with no packet (drops stale fragments).
  void ExpireFragments(absl::Time now);
  // The end of the capture: what is still pending is dropped and counted.
  void Finish(std::optional<absl::Time> end);

  CaptureSummary& summary() { return summary_; }
  const CaptureSummary& summary() const { return summary_; }

 private:
  void Feed(const DecodedPacket& d, const SegmentContext& context,
            SegmentFn on_segment);
  void FeedFragment(DecodedPacket d, const SegmentContext& context,
                    SegmentFn on_segment);

  bool report_fragments_;
  IpReassembler reassembler_;
  CaptureSummary summary_;
};

}  // namespace tcpstate
