#pragma once

#include <string>
#include <vector>

#include "analyzer/analysis_result.h"

namespace tcpstate {
namespace ci_testing {

// Hand-built results for the CI check tests.

// One connection 10.0.0.1:PORT -> 10.0.0.2:SERVER_PORT in the given states.
ConnectionRecord Connection(uint64_t id, uint16_t client_port,
                            uint16_t server_port, TcpState client,
                            TcpState server);

// An anomaly record of `kind` (severity from the catalogue) on `endpoint`.
Anomaly AnomalyOf(const std::string& kind, const std::string& endpoint,
                  uint64_t count, std::vector<uint64_t> packets);

// Three connections:
//   1  40000 -> 8080  TIME_WAIT / CLOSED
//   2  40001 -> 8080  FIN_WAIT_2 / CLOSE_WAIT, close_wait_stuck (server)
//   3  40002 -> 9090  ESTABLISHED / ESTABLISHED, retransmission x4 (client)
// and a host-level syn_flood on 10.0.0.2.
AnalysisResult Sample();

}  // namespace ci_testing
}  // namespace tcpstate
