#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "analyzer/endpoint_machine.h"
#include "analyzer/packed_time.h"
#include "dissectors/seq_num.h"

namespace tcpstate {

// The believed history of one endpoint (EndpointEvent), stored compactly.
//
// Every event a connection opened and closed in full produces happens at
// most once per endpoint (its SYN or SYN-ACK, its first ACK, its FIN, the
// peer's SYN and FIN, the ACKs of its SYN and FIN): each has a fixed slot
// of 12 bytes (its time, and the low 32 bits of its packet number; the
// high 32 bits are shared by every slot), its kind, order and "assumed"
// flag follow from the slot. RSTs and a TIME_WAIT replaced by a new
// connection are rare and may repeat: they go to a list allocated on first
// use, and so does a slot event whose packet number does not share the
// slots' high 32 bits (a connection alive across packet 2^32 * k).
//
// Readers see the events as EventRecords in (packet, order) order, the
// order a replay folds them in (InOrder()).
class EndpointEvents {
 public:
  using Sorted = absl::InlinedVector<EventRecord, 10>;

  EndpointEvents() = default;
  EndpointEvents(const EndpointEvents&) = delete;
  EndpointEvents& operator=(const EndpointEvents&) = delete;

  // The order of an event within its packet, by kind (see EventRecord).
  static uint8_t OrderOf(EndpointEvent kind);
  // Receipts assumed from the peer's segments (retractable).
  static bool AssumedKind(EndpointEvent kind);

  bool Has(EndpointEvent kind) const;
  // Whether an event of `kind` happened at `packet`.
  bool HasAt(EndpointEvent kind, uint64_t packet) const;
  // The first event of `kind` in (packet, order) order; false if none.
  bool Find(EndpointEvent kind, EventRecord* out) const;
  // Adds `ev`. A slot kind must not be present already (callers check
  // Has); `ev.order` and `ev.assumed` must be those of its kind.
  void Add(const EventRecord& ev);
  // Removes the first event of `kind`; false if there was none.
  bool Erase(EndpointEvent kind);
  // The endpoint ACKed up to `ack`: assumed receipts whose carrying segment
  // that covers become confirmed.
  void ConfirmUpTo(SeqNum ack);

  // All events in (packet, order) order; ties keep the order of the kinds
  // in EndpointEvent, then of arrival.
  Sorted InOrder() const;
  // The same with only what a fold of the state machine reads.
  struct Light {
    uint64_t packet;
    PackedTime t;
    EndpointEvent event;
    uint8_t order;
    bool assumed;
  };
  using LightSorted = absl::InlinedVector<Light, 10>;
  LightSorted LightInOrder() const;

  // Set by every Add or Erase: the state must be folded again.
  bool dirty() const { return (flags_ & kDirtyBit) != 0; }
  // Something else the state depends on changed (the events did not).
  void MarkDirty() { flags_ |= kDirtyBit; }
  // After a fold: what was added so far is folded.
  void ClearDirty() {
    flags_ = static_cast<uint8_t>(flags_ & ~(kDirtyBit | kRebuildBit));
    fresh_ = 0;
  }
  // For a fold that continues from the last one: true when everything
  // since ClearDirty() was added to empty slots, sorting after every event
  // already there (and nothing is listed); `out` then holds those events in
  // (packet, order) order. False when the fold must start over.
  bool AppendedInOrder(LightSorted* out) const;
  size_t size() const;
  // Bytes held outside the object (the list of RSTs and replacements).
  size_t heap_bytes() const {
    return listed_ == nullptr
               ? 0
               : sizeof(*listed_) + listed_->capacity() * sizeof(EventRecord);
  }

  // The endpoint's first SYN or SYN-ACK and its first FIN (packet 0 and the
  // epoch while not sent).
  uint64_t syn_packet() const { return StampOf(kSyn).packet; }
  PackedTime syn_time() const { return StampOf(kSyn).t; }
  uint64_t fin_packet() const { return StampOf(kFin).packet; }
  PackedTime fin_time() const { return StampOf(kFin).t; }

 private:
  // Slot kinds, in EndpointEvent order; kSendSyn and kSendSynAck share one
  // (an endpoint chooses its ISN once).
  enum Slot : uint8_t {
    kSyn,
    kAck,
    kFin,
    kRecvSyn,
    kRecvFin,
    kAckOfSyn,
    kAckOfFin,
    kNumSlots,
  };
  struct Stamp {
    uint64_t packet;
    PackedTime t;
  };
  // The slot of `kind`, or kNumSlots for the listed kinds.
  static Slot SlotOf(EndpointEvent kind);
  bool Present(Slot s) const { return (present_ & (1u << s)) != 0; }
  uint64_t Widen(uint32_t low) const {
    return (uint64_t{packet_high_} << 32) | low;
  }
  // Whether `ev` (of slot kind s) fits its slot: its packet numbers share
  // the present slots' high 32 bits.
  bool Fits(Slot s, const EventRecord& ev) const;
  // The event as its slot would give it back (order, flags, proof).
  static EventRecord Normalize(const EventRecord& ev);
  // The slot's event, or a listed event of the slot's kinds, or the slot's
  // last value (zero until set).
  Stamp StampOf(Slot s) const;
  // The listed event of `kind` first in (packet, order) order, or null.
  const EventRecord* FirstListed(EndpointEvent kind) const;
  EventRecord Materialize(Slot s) const;
  EndpointEvent KindOf(Slot s) const;

  PackedTime t_[kNumSlots];
  uint32_t packet_low_[kNumSlots] = {};
  uint32_t packet_high_ = 0;          // shared by every present slot
  uint32_t recv_fin_proof_low_ = 0;  // the packet whose ACK proved kRecvFin
  SeqNum confirm_seq_[2];            // kAckOfSyn, kAckOfFin
  uint8_t present_ = 0;  // bit per Slot
  // Bit 0: the kSyn slot holds a SYN-ACK; per assumed slot i (0: kAckOfSyn,
  // 1: kAckOfFin), bit 1 + i: confirm_seq_[i] is set, bit 3 + i: confirmed;
  // kDirtyBit: changed since the last fold; kRebuildBit: an event was
  // erased, replaced or listed since then.
  static constexpr uint8_t kDirtyBit = 0x20;
  static constexpr uint8_t kRebuildBit = 0x40;
  uint8_t flags_ = 0;
  uint8_t fresh_ = 0;  // bit per Slot: added since the last fold
  // RSTs sent or received and replacements, in arrival order.
  std::unique_ptr<std::vector<EventRecord>> listed_;
};

}  // namespace tcpstate
