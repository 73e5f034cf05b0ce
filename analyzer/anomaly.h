#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace tcpstate {

enum class Severity : uint8_t { kInfo, kWarning, kError };

const char* SeverityName(Severity s);

// One flagged finding on a connection or a host. `kind` is a stable
// snake_case id from the anomaly catalogue.
struct Anomaly {
  std::string kind;
  Severity severity = Severity::kInfo;
  std::string endpoint;  // "client", "server", or a host address
  uint64_t first_packet = 0;
  uint64_t last_packet = 0;
  absl::Time t;                      // when it started
  absl::Duration duration;           // how long it lasted
  uint64_t count = 0;                // how often it happened
  std::vector<uint64_t> packets;     // first few packet numbers as proof
  std::string detail;                // one sentence a person understands
};

}  // namespace tcpstate
