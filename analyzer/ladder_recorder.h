#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/analysis_result.h"
#include "analyzer/anomaly_catalogue.h"
#include "dissectors/tcp_segment.h"

namespace tcpstate {

// Which connections record a ladder (AnalyzerOptions::ladders).
// Recording a ladder never changes the analysis: the flow table's caps are
// the same in every mode, and recorders have a memory budget of their own.
enum class LadderMode : uint8_t {
  kOff,       // none: no memory, no work per packet (the default)
  kSelected,  // connections record one while the recorder budget lasts;
              // the analyzer keeps those of connections with an anomaly
              // and of the first N others (input that cannot be read twice)
  kOne,       // only the connection with one given id
  kFirstPackets,  // only the connections whose first packet is one of the
                  // given (a second read of a file, once the first has
                  // chosen what to draw: packet numbers are the same
                  // whatever the number of threads, ids are not known to a
                  // shard)
};

// How many segments a connection's ladder keeps in each of its parts: the
// first `head`, up to `middle` anomalous ones in between, the last `tail`.
struct LadderLimits {
  size_t head = 24;
  size_t middle = 24;
  size_t tail = 24;
};

// Records one connection's ladder while its packets flow, in bounded
// memory: the storage for every part is allocated once, when the recorder
// is made, and never grows. Segments that fall out of the tail ring are
// kept in the middle part when something was flagged on them (and there is
// room), otherwise counted as folded.
//
// Sequence and acknowledgment numbers are stored raw and made relative to
// the ISNs in Build(), when the ISNs known by then are final.
class LadderRecorder {
 public:
  explicit LadderRecorder(const LadderLimits& limits);

  // Bytes one recorder holds for `limits` (flow table memory estimate).
  static size_t BytesFor(const LadderLimits& limits);

  void Record(const TcpSegment& seg, bool from_client, uint64_t packet,
              absl::Time t);

  // Marks on a kept segment (no-ops for a packet no longer kept).
  void MarkAnomaly(uint64_t packet, AnomalyKind kind);
  void MarkDuplicate(uint64_t packet);
  void MarkLostAfterTap(uint64_t packet);

  // The earliest kept segment from that sender with raw sequence number
  // `seq` that occupies sequence space (payload or FIN) and is not itself
  // a duplicate: the original a retransmission repeats. Null if not kept.
  const LadderSegment* FindOriginal(bool from_client, uint32_t seq) const;

  // The ladder so far; rel_seq/rel_ack relative to the ISNs given (raw
  // numbers where an ISN is unknown).
  Ladder Build(std::optional<uint32_t> client_isn,
               std::optional<uint32_t> server_isn) const;

  uint64_t total() const { return total_; }

 private:
  struct Slot {
    LadderSegment seg;
    uint64_t omitted_before = 0;  // segments folded just before this one
  };

  LadderSegment* Find(uint64_t packet);
  // The oldest ring segment leaves the ring: into the middle, or folded.
  void Retire(const Slot& slot);
  size_t MiddleBase() const { return limits_.head; }
  size_t RingBase() const { return limits_.head + limits_.middle; }

  LadderLimits limits_;
  std::vector<Slot> slots_;  // head, middle, tail ring; sized once
  size_t head_used_ = 0;
  size_t middle_used_ = 0;
  size_t ring_start_ = 0;
  size_t ring_used_ = 0;
  uint64_t total_ = 0;
  uint64_t omitted_run_ = 0;  // folded since the last kept middle segment
};

}  // namespace tcpstate
