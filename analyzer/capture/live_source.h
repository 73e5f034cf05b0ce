#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "analyzer/capture/packet_source.h"
#include "dissectors/frame.h"

namespace tcpstate {

struct LiveSourceOptions {
  std::string interface;  // e.g. "eth0", or "any"
  std::string bpf_filter;  // tcpdump-style; empty = everything
  int snaplen = 262144;    // bytes kept per packet (tcpdump -s)
  bool promiscuous = true;  // tcpdump -p turns it off
  bool immediate = true;   // deliver each packet at once (no batching)
  int buffer_kib = 0;      // kernel buffer in KiB (tcpdump -B); 0 = default
  std::string save_file;   // -w: also write every packet there (pcap)
  // Join a PACKET_FANOUT group (PACKET_FANOUT_HASH with
  // PACKET_FANOUT_FLAG_DEFRAG: the kernel spreads flows over the group's
  // sockets, IPv4 fragments put back together first). With `fanout_group`
  // 0, a new group with an id no other socket uses (FLAG_UNIQUEID);
  // fanout_group() then tells the id the others join with.
  bool fanout = false;
  uint16_t fanout_group = 0;
};

// The capture statistics of libpcap (pcap_stats).
struct LiveStats {
  uint64_t received = 0;            // packets the filter accepted
  uint64_t dropped_by_kernel = 0;   // no room in the buffer
  uint64_t dropped_by_interface = 0;
};

// A live capture on one interface (libpcap pcap_create ... pcap_activate),
// non-blocking: Next() returns a frame when one is waiting and nullopt when
// none is; wait on selectable_fd() (poll) in between.
//
// Status codes of Open: NotFound (no such interface), PermissionDenied
// (needs root or CAP_NET_RAW), InvalidArgument (bad filter, snaplen),
// Unimplemented (unsupported link type), Unavailable (interface down, other
// activation errors), and the errno of a -w file that cannot be created.
class LiveSource {
 public:
  static absl::StatusOr<std::unique_ptr<LiveSource>> Open(
      const LiveSourceOptions& options);
  ~LiveSource();
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  // The next captured frame, nullopt when none is waiting now. Frame
  // numbers count from 1; timestamps are the kernel's (wall clock). An
  // error (e.g. the interface went away) ends the capture.
  absl::StatusOr<std::optional<Frame>> Next();

  // Becomes readable when packets wait (poll/select).
  int selectable_fd() const;
  absl::StatusOr<LiveStats> Stats() const;
  // What was read, as the report lists its inputs.
  InputInfo info() const;
  // Flushes the -w file, if any.
  void Flush();
  // The PACKET_FANOUT group joined (options.fanout), else 0.
  uint16_t fanout_group() const;
  // Writes every packet to `first`'s -w file too (one file for all the
  // sockets of a fanout group; writes are serialized).
  void ShareSaveFile(const LiveSource& first);

  class Impl;

 private:
  explicit LiveSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpstate
