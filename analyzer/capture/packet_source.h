#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dissectors/frame.h"

namespace tcpstate {

// What a run read from one input (file or interface).
struct InputInfo {
  std::string name;       // path as given ("-" for stdin) or interface
  std::string link_type;  // e.g. "EN10MB"; empty if the input never opened
  uint64_t packets = 0;   // records read from this input
  uint64_t bytes = 0;     // captured bytes read from this input
  std::string error;      // non-empty if reading stopped on an error
};

// A source of frames. Next() returns the next frame, std::nullopt at the
// clean end of all input, or an error naming the input, record number and
// byte offset when the input is damaged. After an error the source is done.
class PacketSource {
 public:
  virtual ~PacketSource() = default;
  virtual absl::StatusOr<std::optional<Frame>> Next() = 0;
  virtual std::vector<InputInfo> inputs() const = 0;
  // Number of records whose timestamp went backwards (counted, not fatal).
  virtual uint64_t timestamps_backwards() const = 0;
};

}  // namespace tcpstate
