// EndpointEvents keeps each once-only event in a slot holding the low 32
// bits of its packet number; an event whose packet does not share the
// slots' high bits (a connection alive across packet 2^32 * k) goes to the
// list instead. Either way, readers see exactly the events added.
#include "analyzer/endpoint_events.h"

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace {

using E = EndpointEvent;

// A capture time that follows the packet number (within a second).
absl::Time TimeOf(uint64_t packet) {
  return absl::FromUnixNanos(1700000000000000000 +
                             static_cast<int64_t>(packet % 1000000000));
}

EventRecord Ev(E kind, uint64_t packet) {
  EventRecord ev =
      MakeEvent(kind, packet, TimeOf(packet), EndpointEvents::OrderOf(kind));
  ev.assumed = EndpointEvents::AssumedKind(kind);
  return ev;
}

struct Seen {
  uint64_t packet;
  E event;
  bool assumed;
  bool confirmed;
  bool operator==(const Seen& o) const {
    return packet == o.packet && event == o.event && assumed == o.assumed &&
           confirmed == o.confirmed;
  }
};

std::vector<Seen> Contents(const EndpointEvents& events, uint64_t base) {
  std::vector<Seen> out;
  for (const EventRecord& ev : events.InOrder()) {
    out.push_back({ev.packet - base, ev.event, ev.assumed, ev.confirmed});
  }
  return out;
}

// One endpoint's life (client of a full open and close, with a retracted
// and re-assumed ACK of its FIN), replayed at packet numbers base + offset.
void Live(EndpointEvents& events, uint64_t base) {
  events.Add(Ev(E::kSendSyn, base + 1));
  events.Add(Ev(E::kRecvSyn, base + 2));
  EventRecord ack_of_syn = Ev(E::kRecvAckOfSyn, base + 2);
  ack_of_syn.has_confirm_seq = true;
  ack_of_syn.confirm_seq = SeqNum(101);
  events.Add(ack_of_syn);
  events.Add(Ev(E::kSendAck, base + 3));
  events.ConfirmUpTo(SeqNum(101));
  events.Add(Ev(E::kSendFin, base + 4));
  events.Add(Ev(E::kRecvAckOfFin, base + 5));
  EXPECT_TRUE(events.Erase(E::kRecvAckOfFin));  // the FIN was retransmitted
  EventRecord ack_of_fin = Ev(E::kRecvAckOfFin, base + 7);
  ack_of_fin.has_confirm_seq = true;
  ack_of_fin.confirm_seq = SeqNum(500);
  events.Add(ack_of_fin);
  EventRecord recv_fin = Ev(E::kRecvFin, base + 8);
  recv_fin.proof_packet = base + 9;
  events.Add(recv_fin);
  events.ConfirmUpTo(SeqNum(600));
}

TEST(EndpointEventsTest, SameContentsWhereverThePacketNumbersFall) {
  EndpointEvents low;
  Live(low, 0);
  EXPECT_EQ(low.heap_bytes(), 0u);
  const std::vector<Seen> want = Contents(low, 0);
  ASSERT_EQ(want.size(), 7u);
  for (const uint64_t base :
       {uint64_t{0xFFFFFFFF} - 3, uint64_t{0xFFFFFFFF} - 8,
        uint64_t{0x100000000}, uint64_t{0x7FFFFFFFFFFFFF00}}) {
    SCOPED_TRACE(base);
    EndpointEvents events;
    Live(events, base);
    EXPECT_EQ(Contents(events, base), want);
    EXPECT_EQ(events.size(), low.size());
    EXPECT_EQ(events.syn_packet(), base + 1);
    EXPECT_EQ(events.fin_packet(), base + 4);
    EXPECT_EQ(absl::Time(events.fin_time()), TimeOf(base + 4));
    EXPECT_TRUE(events.HasAt(E::kSendFin, base + 4));
    EXPECT_FALSE(events.HasAt(E::kSendFin, base + 4 + (uint64_t{1} << 32)));
    EXPECT_TRUE(events.HasAt(E::kRecvAckOfFin, base + 7));
    EventRecord fin;
    ASSERT_TRUE(events.Find(E::kRecvFin, &fin));
    EXPECT_EQ(fin.proof_packet, base + 9);
    EventRecord ack;
    ASSERT_TRUE(events.Find(E::kRecvAckOfFin, &ack));
    EXPECT_TRUE(ack.confirmed);
    EXPECT_EQ(ack.packet, base + 7);
    EXPECT_FALSE(events.Has(E::kSendSynAck));
    // Straddling 2^32 puts some events in the list; in one half, none.
    const bool straddles = ((base + 1) >> 32) != ((base + 9) >> 32);
    EXPECT_EQ(events.heap_bytes() > 0, straddles);
  }
}

TEST(EndpointEventsTest, ANewEventReplacesItsSlotWhereverItWasKept) {
  const uint64_t high = uint64_t{1} << 32;
  EndpointEvents events;
  events.Add(Ev(E::kSendAck, high - 1));
  events.Add(Ev(E::kSendSyn, high + 1));  // listed: other high bits
  EXPECT_TRUE(events.Has(E::kSendSyn));
  events.Add(Ev(E::kSendSynAck, high - 2));  // back in the slot
  EXPECT_FALSE(events.Has(E::kSendSyn));
  EXPECT_TRUE(events.Has(E::kSendSynAck));
  EXPECT_EQ(events.syn_packet(), high - 2);
  EXPECT_EQ(events.size(), 2u);
  events.Add(Ev(E::kSendSyn, high + 5));  // listed again, replacing it
  EXPECT_FALSE(events.Has(E::kSendSynAck));
  EXPECT_EQ(events.syn_packet(), high + 5);
  EXPECT_EQ(events.size(), 2u);
  EXPECT_TRUE(events.Erase(E::kSendSyn));
  EXPECT_FALSE(events.Has(E::kSendSyn));
  EXPECT_FALSE(events.Erase(E::kSendSyn));
  EXPECT_EQ(events.size(), 1u);
  EXPECT_TRUE(events.dirty());
}

}  // namespace
}  // namespace tcpstate
