#include "analyzer/endpoint_events.h"

#include <algorithm>

namespace tcpstate {
namespace {

using E = EndpointEvent;

constexpr uint8_t kSynAckBit = 1;
uint8_t HasConfirmBit(int i) { return static_cast<uint8_t>(2u << i); }
uint8_t ConfirmedBit(int i) { return static_cast<uint8_t>(8u << i); }

}  // namespace

uint8_t EndpointEvents::OrderOf(EndpointEvent kind) {
  // Within one packet: what its ACK field proves the sender received comes
  // first (RFC 9293 3.10.7.4), then what it sends, then what its peer is
  // assumed to receive; a receipt placed at a packet (proven later) comes
  // after everything else there.
  switch (kind) {
    case E::kSendSyn:
    case E::kSendSynAck:
    case E::kSendAck:
      return 2;
    case E::kSendFin:
    case E::kSendRst:
      return 3;
    case E::kRecvAckOfSyn:
    case E::kRecvAckOfFin:
    case E::kRecvRst:
      return 4;
    case E::kReplaced:
      return 5;
    case E::kRecvSyn:
    case E::kRecvFin:
      return 6;
  }
  return 6;
}

bool EndpointEvents::AssumedKind(EndpointEvent kind) {
  return kind == E::kRecvAckOfSyn || kind == E::kRecvAckOfFin ||
         kind == E::kRecvRst;
}

EndpointEvents::Slot EndpointEvents::SlotOf(EndpointEvent kind) {
  switch (kind) {
    case E::kSendSyn:
    case E::kSendSynAck:
      return kSyn;
    case E::kSendAck:
      return kAck;
    case E::kSendFin:
      return kFin;
    case E::kRecvSyn:
      return kRecvSyn;
    case E::kRecvFin:
      return kRecvFin;
    case E::kRecvAckOfSyn:
      return kAckOfSyn;
    case E::kRecvAckOfFin:
      return kAckOfFin;
    case E::kSendRst:
    case E::kRecvRst:
    case E::kReplaced:
      return kNumSlots;
  }
  return kNumSlots;
}

bool EndpointEvents::Has(EndpointEvent kind) const {
  const Slot s = SlotOf(kind);
  if (s != kNumSlots && Present(s)) {
    return KindOf(s) == kind;
  }
  return FirstListed(kind) != nullptr;
}

bool EndpointEvents::HasAt(EndpointEvent kind, uint64_t packet) const {
  const Slot s = SlotOf(kind);
  if (s != kNumSlots && Present(s)) {
    return KindOf(s) == kind && Widen(packet_low_[s]) == packet;
  }
  if (listed_ == nullptr) {
    return false;
  }
  for (const EventRecord& ev : *listed_) {
    if (ev.event == kind && ev.packet == packet) {
      return true;
    }
  }
  return false;
}

EndpointEvent EndpointEvents::KindOf(Slot s) const {
  static constexpr E kKinds[kNumSlots] = {
      E::kSendSyn, E::kSendAck,      E::kSendFin,     E::kRecvSyn,
      E::kRecvFin, E::kRecvAckOfSyn, E::kRecvAckOfFin};
  if (s == kSyn && (flags_ & kSynAckBit) != 0) {
    return E::kSendSynAck;
  }
  return kKinds[s];
}

EventRecord EndpointEvents::Materialize(Slot s) const {
  const E kind = KindOf(s);
  const uint64_t packet = Widen(packet_low_[s]);
  EventRecord ev = MakeEvent(kind, packet, t_[s], OrderOf(kind));
  if (s == kRecvFin) {
    ev.proof_packet = Widen(recv_fin_proof_low_);
  }
  if (s == kAckOfSyn || s == kAckOfFin) {
    const int i = s - kAckOfSyn;
    ev.assumed = true;
    ev.has_confirm_seq = (flags_ & HasConfirmBit(i)) != 0;
    ev.confirm_seq = confirm_seq_[i];
    ev.confirmed = (flags_ & ConfirmedBit(i)) != 0;
  }
  return ev;
}

EventRecord EndpointEvents::Normalize(const EventRecord& ev) {
  EventRecord out = MakeEvent(ev.event, ev.packet, ev.t, OrderOf(ev.event));
  if (ev.event == E::kRecvFin) {
    out.proof_packet = ev.proof_packet;
  }
  if (ev.event == E::kRecvAckOfSyn || ev.event == E::kRecvAckOfFin) {
    out.assumed = true;
    out.has_confirm_seq = ev.has_confirm_seq;
    out.confirm_seq = ev.has_confirm_seq ? ev.confirm_seq : SeqNum();
    out.confirmed = ev.confirmed;
  }
  return out;
}

const EventRecord* EndpointEvents::FirstListed(EndpointEvent kind) const {
  if (listed_ == nullptr) {
    return nullptr;
  }
  // The list is in arrival order; the first in (packet, order) order wins.
  const EventRecord* best = nullptr;
  for (const EventRecord& ev : *listed_) {
    if (ev.event == kind && (best == nullptr || ev.packet < best->packet)) {
      best = &ev;
    }
  }
  return best;
}

EndpointEvents::Stamp EndpointEvents::StampOf(Slot s) const {
  if (!Present(s) && listed_ != nullptr) {
    for (const EventRecord& ev : *listed_) {
      if (SlotOf(ev.event) == s) {
        return Stamp{ev.packet, ev.t};
      }
    }
  }
  return Stamp{Widen(packet_low_[s]), t_[s]};
}

bool EndpointEvents::Find(EndpointEvent kind, EventRecord* out) const {
  const Slot s = SlotOf(kind);
  if (s != kNumSlots && Present(s)) {
    if (KindOf(s) != kind) {
      return false;
    }
    *out = Materialize(s);
    return true;
  }
  const EventRecord* first = FirstListed(kind);
  if (first == nullptr) {
    return false;
  }
  *out = *first;
  return true;
}

bool EndpointEvents::Fits(Slot s, const EventRecord& ev) const {
  const uint32_t high = static_cast<uint32_t>(ev.packet >> 32);
  if (s == kRecvFin && (ev.proof_packet >> 32) != high) {
    return false;
  }
  return present_ == 0 || high == packet_high_;
}

void EndpointEvents::Add(const EventRecord& ev) {
  flags_ |= kDirtyBit;
  const Slot s = SlotOf(ev.event);
  if (s == kNumSlots || Present(s)) {
    flags_ |= kRebuildBit;  // listed, or replacing an event
  }
  if (s == kNumSlots) {
    if (listed_ == nullptr) {
      listed_ = std::make_unique<std::vector<EventRecord>>();
    }
    listed_->push_back(ev);
    return;
  }
  // A slot holds one event: a new one replaces it, wherever it was kept.
  if (listed_ != nullptr) {
    listed_->erase(std::remove_if(listed_->begin(), listed_->end(),
                                  [s](const EventRecord& e) {
                                    return SlotOf(e.event) == s;
                                  }),
                   listed_->end());
  }
  if (!Fits(s, ev)) {
    flags_ |= kRebuildBit;
    present_ = static_cast<uint8_t>(present_ & ~(1u << s));
    if (listed_ == nullptr) {
      listed_ = std::make_unique<std::vector<EventRecord>>();
    }
    listed_->push_back(Normalize(ev));
    return;
  }
  packet_high_ = static_cast<uint32_t>(ev.packet >> 32);
  present_ = static_cast<uint8_t>(present_ | (1u << s));
  fresh_ = static_cast<uint8_t>(fresh_ | (1u << s));
  packet_low_[s] = static_cast<uint32_t>(ev.packet);
  t_[s] = ev.t;
  if (s == kSyn) {
    flags_ = static_cast<uint8_t>(
        ev.event == E::kSendSynAck ? flags_ | kSynAckBit : flags_ & ~kSynAckBit);
  } else if (s == kRecvFin) {
    recv_fin_proof_low_ = static_cast<uint32_t>(ev.proof_packet);
  } else if (s == kAckOfSyn || s == kAckOfFin) {
    const int i = s - kAckOfSyn;
    flags_ = static_cast<uint8_t>(flags_ & ~(HasConfirmBit(i) | ConfirmedBit(i)));
    if (ev.has_confirm_seq) {
      flags_ = static_cast<uint8_t>(flags_ | HasConfirmBit(i));
      confirm_seq_[i] = ev.confirm_seq;
    }
    if (ev.confirmed) {
      flags_ = static_cast<uint8_t>(flags_ | ConfirmedBit(i));
    }
  }
}

bool EndpointEvents::Erase(EndpointEvent kind) {
  const Slot s = SlotOf(kind);
  if (s != kNumSlots && Present(s)) {
    if (KindOf(s) != kind) {
      return false;
    }
    present_ = static_cast<uint8_t>(present_ & ~(1u << s));
    flags_ |= kDirtyBit | kRebuildBit;
    return true;
  }
  const EventRecord* first = FirstListed(kind);
  if (first == nullptr) {
    return false;
  }
  listed_->erase(listed_->begin() + (first - listed_->data()));
  flags_ |= kDirtyBit | kRebuildBit;
  return true;
}

void EndpointEvents::ConfirmUpTo(SeqNum ack) {
  for (int i = 0; i < 2; ++i) {
    const Slot s = i == 0 ? kAckOfSyn : kAckOfFin;
    if (Present(s) && (flags_ & HasConfirmBit(i)) != 0 &&
        ack.IsAfterOrEqual(confirm_seq_[i])) {
      flags_ = static_cast<uint8_t>(flags_ | ConfirmedBit(i));
    }
  }
  if (listed_ != nullptr) {
    for (EventRecord& ev : *listed_) {
      const Slot s = SlotOf(ev.event);
      if ((s == kAckOfSyn || s == kAckOfFin) && ev.has_confirm_seq &&
          ack.IsAfterOrEqual(ev.confirm_seq)) {
        ev.confirmed = true;
      }
    }
  }
}

namespace {

// A stable sort by (packet, order) of a handful of events, nearly in order:
// insertion sort, without the temporary buffer std::stable_sort allocates.
template <typename Vector>
void SortByPacketAndOrder(Vector& v) {
  auto before = [](const auto& a, const auto& b) {
    return a.packet != b.packet ? a.packet < b.packet : a.order < b.order;
  };
  for (size_t i = 1; i < v.size(); ++i) {
    const auto ev = v[i];
    size_t j = i;
    for (; j > 0 && before(ev, v[j - 1]); --j) {
      v[j] = v[j - 1];
    }
    v[j] = ev;
  }
}

}  // namespace

EndpointEvents::LightSorted EndpointEvents::LightInOrder() const {
  // Sized once and filled in place, field by field (a whole temporary
  // copied in stalls on store forwarding): this runs at every fold.
  LightSorted out(size());
  Light* l = out.data();
  for (int i = 0; i < kNumSlots; ++i) {
    const Slot s = static_cast<Slot>(i);
    if (Present(s)) {
      const E kind = KindOf(s);
      l->packet = Widen(packet_low_[s]);
      l->t = t_[s];
      l->event = kind;
      l->order = OrderOf(kind);
      l->assumed = s == kAckOfSyn || s == kAckOfFin;
      ++l;
    }
  }
  if (listed_ != nullptr) {
    for (const EventRecord& ev : *listed_) {
      l->packet = ev.packet;
      l->t = ev.t;
      l->event = ev.event;
      l->order = ev.order;
      l->assumed = ev.assumed;
      ++l;
    }
  }
  SortByPacketAndOrder(out);
  return out;
}

bool EndpointEvents::AppendedInOrder(LightSorted* out) const {
  if ((flags_ & kRebuildBit) != 0 || listed_ != nullptr) {
    return false;
  }
  // The last event already folded, by (packet, order).
  bool any_old = false;
  uint64_t last_packet = 0;
  uint8_t last_order = 0;
  for (int i = 0; i < kNumSlots; ++i) {
    const Slot s = static_cast<Slot>(i);
    if (Present(s) && (fresh_ & (1u << s)) == 0) {
      const uint64_t packet = Widen(packet_low_[s]);
      const uint8_t order = OrderOf(KindOf(s));
      if (!any_old || packet > last_packet ||
          (packet == last_packet && order > last_order)) {
        last_packet = packet;
        last_order = order;
      }
      any_old = true;
    }
  }
  out->clear();
  for (int i = 0; i < kNumSlots; ++i) {
    const Slot s = static_cast<Slot>(i);
    if (!Present(s) || (fresh_ & (1u << s)) == 0) {
      continue;
    }
    const E kind = KindOf(s);
    Light l;
    l.packet = Widen(packet_low_[s]);
    l.t = t_[s];
    l.event = kind;
    l.order = OrderOf(kind);
    l.assumed = s == kAckOfSyn || s == kAckOfFin;
    // Strictly after: a tie would fold in slot order, not arrival order.
    if (any_old && !(l.packet > last_packet ||
                     (l.packet == last_packet && l.order > last_order))) {
      return false;
    }
    out->push_back(l);
  }
  SortByPacketAndOrder(*out);
  return true;
}

EndpointEvents::Sorted EndpointEvents::InOrder() const {
  Sorted out;
  for (int s = 0; s < kNumSlots; ++s) {
    if (Present(static_cast<Slot>(s))) {
      out.push_back(Materialize(static_cast<Slot>(s)));
    }
  }
  if (listed_ != nullptr) {
    out.insert(out.end(), listed_->begin(), listed_->end());
  }
  // Slots are in kind order and the list in arrival order: a stable sort
  // by (packet, order) keeps that for ties.
  SortByPacketAndOrder(out);
  return out;
}

size_t EndpointEvents::size() const {
  return static_cast<size_t>(__builtin_popcount(present_)) +
         (listed_ != nullptr ? listed_->size() : 0);
}

}  // namespace tcpstate
