// IP fragment reassembly options: --no-reassembly and the limits of
// analyzer/ip_reassembly.h.

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "analyzer/ip_reassembly.h"
#include "tools/cli.h"
#include "tools/cli_internal.h"

ABSL_FLAG(std::string, reassembly_timeout,
          absl::StrCat(absl::ToInt64Seconds(
                           tcpstate::ReassemblyOptions().timeout),
                       "s"), "");
ABSL_FLAG(uint64_t, reassembly_max_datagrams,
          tcpstate::ReassemblyOptions().max_datagrams, "");
ABSL_FLAG(uint64_t, reassembly_memory,
          tcpstate::ReassemblyOptions().max_bytes >> 10, "");

namespace tcpstate {
namespace cli_internal {

absl::Status ReadReassemblyOptions(bool disabled, CliOptions* options) {
  ReassemblyOptions& r = options->reassembly;
  r.enabled = !disabled;
  absl::StatusOr<absl::Duration> timeout =
      ParseDurationArg(absl::GetFlag(FLAGS_reassembly_timeout));
  if (!timeout.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--reassembly-timeout: ", timeout.status().message()));
  }
  r.timeout = *timeout;
  const uint64_t datagrams = absl::GetFlag(FLAGS_reassembly_max_datagrams);
  if (datagrams == 0) {
    return absl::InvalidArgumentError(
        "--reassembly-max-datagrams must be at least 1");
  }
  r.max_datagrams = static_cast<size_t>(datagrams);
  const uint64_t kib = absl::GetFlag(FLAGS_reassembly_memory);
  if (kib < 64 || kib > (uint64_t{1} << 40)) {
    return absl::InvalidArgumentError(
        "--reassembly-memory must be at least 64 and at most 2^40 (KiB)");
  }
  r.max_bytes = kib << 10;
  return absl::OkStatus();
}

}  // namespace cli_internal
}  // namespace tcpstate
