// libFuzzer target: `tcpstate merge` input. Each input is read as a part
// file (PartReader over a temporary file, then ReplayParts into a
// ShardMerge and its collector, as the merge does) and, separately, its
// bytes are decoded as one ConnectionRecord. A damaged part must end in a
// named error or in records that replay: never a crash, a hang or a huge
// allocation.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "analyzer/analyzer.h"
#include "analyzer/part_codec.h"
#include "analyzer/part_file.h"
#include "analyzer/shard_merge.h"
#include "tests/fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    tcpstate::PartDecoder d(absl::MakeConstSpan(data, size));
    tcpstate::ConnectionRecord rec;
    tcpstate::DecodeRecord(d, &rec);
  }
  absl::StatusOr<std::unique_ptr<tcpstate::PartReader>> reader =
      tcpstate::PartReader::Open(
          tcpstate_fuzz::WriteInputFile("tcpstate_fuzz_part", data, size));
  if (!reader.ok()) {
    return 0;
  }
  const tcpstate::PartTrailer& t = (*reader)->trailer();
  tcpstate::AnalyzerOptions options;
  tcpstate::ShardMerge merge(tcpstate::CollectorOptionsOf(options), nullptr, 1);
  if (tcpstate::ReplayParts({reader->get()}, t.summary.last_packet_time, merge)
          .ok()) {
    merge.collector().Finish(t.summary, t.created);
  }
  return 0;
}
