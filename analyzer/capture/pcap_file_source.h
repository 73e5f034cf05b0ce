#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzer/capture/packet_source.h"

namespace tcpstate {

struct FileSourceOptions {
  // Files read in order as one continuous capture; "-" is standard input.
  std::vector<std::string> paths;
  // tcpdump-style BPF filter expression; empty = everything.
  std::string bpf_filter;
  // Stop after this many frames the filter keeps (tcpdump -c); 0: all.
  uint64_t max_frames = 0;
};

// Offline reader for pcap and pcapng files (CaptureFileReader: our own
// bounds-checked parser over large reads; libpcap compiles and applies the
// BPF filter), nanosecond timestamps.
//
// Frame.number counts every record read, including records the filter
// drops, so numbers match Wireshark's frame numbers for the concatenated
// inputs. Messages call standard input "<stdin>"; InputInfo.name keeps "-".
//
// Status codes: NotFound / PermissionDenied (cannot open), InvalidArgument
// (usage, directory, bad filter), Unimplemented (unsupported link type),
// DataLoss (not a capture file, or damaged / truncated record; record
// errors name the file, the 1-based record number in that file and the
// exact byte offset where the record or block starts).
class PcapFileSource : public PacketSource {
 public:
  // Opens the first file and compiles the filter eagerly, so that usage
  // errors (missing file, bad filter, unsupported link type) surface here.
  // Later files are opened when reached; a failure there is returned by
  // Next() after every earlier frame.
  static absl::StatusOr<std::unique_ptr<PcapFileSource>> Open(
      const FileSourceOptions& options);

  ~PcapFileSource() override;

  absl::StatusOr<std::optional<Frame>> Next() override;
  std::vector<InputInfo> inputs() const override;
  uint64_t timestamps_backwards() const override;

  // Sum of the sizes of the regular input files (0 when unknown, e.g.
  // stdin) and the bytes consumed so far, for progress reporting.
  uint64_t total_bytes() const;
  uint64_t consumed_bytes() const;

  class Impl;

 private:
  explicit PcapFileSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpstate
