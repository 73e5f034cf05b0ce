// libFuzzer target: pcap / pcapng record reading through PcapFileSource.
// libpcap reads only from files, so each input is written to one temporary
// file (created once per process) and read back to the end or the first
// error.

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "analyzer/capture/pcap_file_source.h"
#include "tests/fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path =
      tcpstate_fuzz::WriteInputFile("tcpstate_fuzz_pcap", data, size);
  tcpstate::FileSourceOptions options;
  options.paths = {path};
  auto source = tcpstate::PcapFileSource::Open(options);
  if (!source.ok()) {
    return 0;
  }
  // Every record is bounded by the file size (libpcap's own caplen cap is
  // 256 KiB): a record can never be longer than the input itself.
  for (;;) {
    auto next = (*source)->Next();
    if (!next.ok() || !next->has_value()) {
      break;
    }
    const tcpstate::Frame& frame = **next;
    if (frame.bytes.size() > size) {
      abort();
    }
    volatile uint8_t sink = 0;
    for (uint8_t b : frame.bytes) {
      sink = sink ^ b;
    }
    (void)sink;
  }
  (void)(*source)->inputs();
  (void)(*source)->timestamps_backwards();
  return 0;
}
