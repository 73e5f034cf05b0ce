#include "analyzer/ladder_recorder.h"

#include <algorithm>

namespace tcpstate {
namespace {

bool Interesting(const LadderSegment& s) {
  return s.anomaly_kinds != 0 || s.lost_after_tap || s.duplicate;
}

uint32_t Relative(uint32_t raw, std::optional<uint32_t> isn) {
  return isn ? raw - *isn : raw;
}

}  // namespace

LadderRecorder::LadderRecorder(const LadderLimits& limits) : limits_(limits) {
  // A fold always follows a kept segment: the head is never empty.
  limits_.head = std::max<size_t>(1, limits_.head);
  slots_.resize(limits_.head + limits_.middle + limits_.tail);
}

size_t LadderRecorder::BytesFor(const LadderLimits& limits) {
  return sizeof(LadderRecorder) +
         sizeof(Slot) * (std::max<size_t>(1, limits.head) + limits.middle +
                         limits.tail);
}

void LadderRecorder::Record(const TcpSegment& seg, bool from_client,
                            uint64_t packet, absl::Time t) {
  Slot slot;
  LadderSegment& s = slot.seg;
  s.packet = packet;
  s.t = t;
  s.from_client = from_client;
  s.flags = static_cast<uint8_t>(seg.flags.bits & 0xFF);
  s.rel_seq = seg.seq.value();
  s.rel_ack = seg.flags.ack() ? seg.ack.value() : 0;
  s.len = seg.payload_len;
  s.window = seg.window;
  ++total_;
  if (head_used_ < limits_.head) {
    slots_[head_used_++] = slot;
    return;
  }
  if (limits_.tail == 0) {
    Retire(slot);
    return;
  }
  if (ring_used_ < limits_.tail) {
    slots_[RingBase() + (ring_start_ + ring_used_) % limits_.tail] = slot;
    ++ring_used_;
    return;
  }
  Slot& oldest = slots_[RingBase() + ring_start_];
  Retire(oldest);
  oldest = slot;
  ring_start_ = (ring_start_ + 1) % limits_.tail;
}

void LadderRecorder::Retire(const Slot& slot) {
  if (Interesting(slot.seg) && middle_used_ < limits_.middle) {
    Slot& kept = slots_[MiddleBase() + middle_used_++];
    kept.seg = slot.seg;
    kept.omitted_before = omitted_run_;
    omitted_run_ = 0;
  } else {
    ++omitted_run_;
  }
}

LadderSegment* LadderRecorder::Find(uint64_t packet) {
  // Newest first: marks are almost always on the segment just recorded.
  for (size_t i = ring_used_; i > 0; --i) {
    Slot& s = slots_[RingBase() + (ring_start_ + i - 1) % limits_.tail];
    if (s.seg.packet == packet) {
      return &s.seg;
    }
  }
  for (size_t i = middle_used_; i > 0; --i) {
    if (slots_[MiddleBase() + i - 1].seg.packet == packet) {
      return &slots_[MiddleBase() + i - 1].seg;
    }
  }
  for (size_t i = head_used_; i > 0; --i) {
    if (slots_[i - 1].seg.packet == packet) {
      return &slots_[i - 1].seg;
    }
  }
  return nullptr;
}

void LadderRecorder::MarkAnomaly(uint64_t packet, AnomalyKind kind) {
  if (LadderSegment* s = Find(packet)) {
    s->anomaly_kinds |= uint32_t{1} << static_cast<unsigned>(kind);
  }
}

void LadderRecorder::MarkDuplicate(uint64_t packet) {
  if (LadderSegment* s = Find(packet)) {
    s->duplicate = true;
  }
}

void LadderRecorder::MarkLostAfterTap(uint64_t packet) {
  if (LadderSegment* s = Find(packet)) {
    s->lost_after_tap = true;
  }
}

const LadderSegment* LadderRecorder::FindOriginal(bool from_client,
                                                  uint32_t seq) const {
  auto matches = [&](const LadderSegment& s) {
    return s.from_client == from_client && s.rel_seq == seq && !s.duplicate &&
           (s.len > 0 || (s.flags & TcpFlags::kFin) != 0);
  };
  for (size_t i = 0; i < head_used_; ++i) {
    if (matches(slots_[i].seg)) {
      return &slots_[i].seg;
    }
  }
  for (size_t i = 0; i < middle_used_; ++i) {
    if (matches(slots_[MiddleBase() + i].seg)) {
      return &slots_[MiddleBase() + i].seg;
    }
  }
  for (size_t i = 0; i < ring_used_; ++i) {
    const Slot& s = slots_[RingBase() + (ring_start_ + i) % limits_.tail];
    if (matches(s.seg)) {
      return &s.seg;
    }
  }
  return nullptr;
}

Ladder LadderRecorder::Build(std::optional<uint32_t> client_isn,
                             std::optional<uint32_t> server_isn) const {
  Ladder ladder;
  ladder.total = total_;
  ladder.segments.reserve(head_used_ + middle_used_ + ring_used_);
  auto append = [&](const Slot& slot, uint64_t omitted_before) {
    if (omitted_before > 0 && !ladder.segments.empty()) {
      ladder.folds.push_back({ladder.segments.size() - 1, omitted_before});
    }
    LadderSegment s = slot.seg;
    const bool ack = (s.flags & TcpFlags::kAck) != 0;
    s.rel_seq = Relative(s.rel_seq, s.from_client ? client_isn : server_isn);
    s.rel_ack =
        ack ? Relative(s.rel_ack, s.from_client ? server_isn : client_isn) : 0;
    ladder.segments.push_back(s);
  };
  for (size_t i = 0; i < head_used_; ++i) {
    append(slots_[i], 0);
  }
  for (size_t i = 0; i < middle_used_; ++i) {
    append(slots_[MiddleBase() + i], slots_[MiddleBase() + i].omitted_before);
  }
  for (size_t i = 0; i < ring_used_; ++i) {
    append(slots_[RingBase() + (ring_start_ + i) % limits_.tail],
           i == 0 ? omitted_run_ : 0);
  }
  if (ring_used_ == 0 && omitted_run_ > 0 && !ladder.segments.empty()) {
    // Only when the tail keeps nothing: the fold ends the ladder.
    ladder.folds.push_back({ladder.segments.size() - 1, omitted_run_});
  }
  return ladder;
}

}  // namespace tcpstate
