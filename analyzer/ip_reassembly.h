#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "dissectors/decode_counters.h"
#include "dissectors/ip_address.h"
#include "dissectors/ip_fragment.h"

namespace tcpstate {

// Limits of IP fragment reassembly. Capture time only.
struct ReassemblyOptions {
  bool enabled = true;
  // A datagram still incomplete this long after its first-seen fragment is
  // dropped (Linux net.ipv4.ipfrag_time and net.ipv6.ip6frag_time: 30 s;
  // RFC 8200 4.5: 60 s at most).
  absl::Duration timeout = absl::Seconds(30);
  // At most this many datagrams pending at once ...
  size_t max_datagrams = 4096;
  // ... holding at most this many bytes of fragment data (Linux
  // ipfrag_high_thresh: 4 MiB). Oldest dropped first.
  uint64_t max_bytes = uint64_t{4} << 20;
};

// A datagram put back together, owning its bytes.
struct CompletedDatagram {
  IpFamily family = IpFamily::kIpv4;
  IpAddress src;
  IpAddress dst;
  IpAddress pseudo_dst;
  uint8_t protocol = 0;
  uint32_t header_length = 0;
  uint16_t ip_id = 0;
  uint8_t ttl = 0;
  int tunnel_depth = 0;
  std::vector<uint8_t> payload;

  // Borrows this datagram's members.
  ReassembledDatagram View() const;
};

// IPv4 and IPv6 fragment reassembly over a bounded table of pending
// datagrams, keyed by (family, source, destination, identification,
// protocol, tunnel depth). Single-threaded; `now` must not go backwards.
//
// Per datagram: a buffer of the bytes received and the RFC 815 hole list.
// Fragments may come in any order. A fragment repeating bytes already
// received is ignored for those bytes (counted ip_reassembly_duplicate);
// one with different bytes over them drops the datagram
// (ip_reassembly_overlap: RFC 5722 for IPv6, and the same for IPv4, as
// overlapping fragments are an evasion technique). The fragment with MF=0
// sets the datagram's end; a second end that differs, or data past it,
// drops the datagram (ip_reassembly_bad_end); so does a datagram that would
// exceed the IP length field (ip_reassembly_too_large, RFC 791 / RFC 8200
// 4.5). A dropped datagram's later fragments are absorbed until its
// timeout. Memory: max_bytes of fragment buffers and max_datagrams
// entries, whatever the capture length.
class IpReassembler {
 public:
  explicit IpReassembler(const ReassemblyOptions& options);

  // Adds a fragment seen at `now` (its spans are copied); returns the
  // datagram it completed (ip_fragments_reassembled). Drops are counted.
  std::optional<CompletedDatagram> Add(const IpFragment& fragment,
                                       absl::Time now,
                                       DecodeCounters& counters);
  // Drops datagrams older than the timeout (ip_reassembly_timeout).
  void Expire(absl::Time now, DecodeCounters& counters);
  // The capture ended: drops what is pending (ip_reassembly_unfinished).
  void Finish(DecodeCounters& counters);

  size_t pending() const { return order_.size(); }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Key {
    IpFamily family = IpFamily::kIpv4;
    IpAddress src;
    IpAddress dst;
    uint32_t id = 0;
    uint8_t protocol = 0;
    int tunnel_depth = 0;

    friend bool operator==(const Key& a, const Key& b) {
      return a.family == b.family && a.src == b.src && a.dst == b.dst &&
             a.id == b.id && a.protocol == b.protocol &&
             a.tunnel_depth == b.tunnel_depth;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.family, k.src, k.dst, k.id,
                        k.protocol, k.tunnel_depth);
    }
  };
  // RFC 815 hole descriptor: bytes [first, last) not yet received.
  struct Hole {
    uint32_t first = 0;
    uint32_t last = 0;
  };
  struct Pending {
    Key key;
    absl::Time created;
    std::vector<uint8_t> data;  // as far as the furthest fragment reaches
    std::vector<Hole> holes;  // sorted by `first`
    std::optional<uint32_t> end;         // from the fragment with MF=0
    std::optional<CompletedDatagram> first;  // metadata of offset 0
    bool dead = false;  // dropped: absorbs its fragments until timeout
  };
  using Order = std::list<Pending>;

  Order::iterator Lookup(const IpFragment& f, absl::Time now,
                         DecodeCounters& counters);
  // Applies f's MF and length to p's end: false if they conflict.
  static bool SetEnd(Pending& p, const IpFragment& f);
  // Compares f's data with what p already holds: false on a difference.
  // Sets `overlapped` when any byte was there already.
  static bool SameBytes(const Pending& p, const IpFragment& f,
                        bool& overlapped);
  static void FillHoles(Pending& p, uint32_t first, uint32_t last);
  // Room for `growth` more bytes, dropping the oldest other datagrams.
  bool MakeRoom(Order::iterator keep, uint64_t growth,
                DecodeCounters& counters);
  void Kill(Pending& p, DecodeCounter why, DecodeCounters& counters);
  void Erase(Order::iterator it);
  std::optional<CompletedDatagram> Complete(Order::iterator it,
                                            DecodeCounters& counters);

  ReassemblyOptions options_;
  Order order_;  // oldest first
  absl::flat_hash_map<Key, Order::iterator> index_;
  uint64_t bytes_ = 0;
};

}  // namespace tcpstate
