#include "analyzer/seq_analysis.h"

namespace tcpstate {

// PLACEHOLDER until the classifier lands: flags nothing.
AnomalyKindSet ClassifySegment(const TcpSegment& /*seg*/, absl::Time /*t*/,
                               FlowDirection& fwd, FlowDirection& /*rev*/) {
  fwd.seen = true;
  return 0;
}

}  // namespace tcpstate
