#include "tests/tools/ci/ci_testutil.h"

#include <utility>

#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {
namespace ci_testing {

ConnectionRecord Connection(uint64_t id, uint16_t client_port,
                            uint16_t server_port, TcpState client,
                            TcpState server) {
  ConnectionRecord c;
  c.id = id;
  c.first_packet = id * 10;
  c.last_packet = id * 10 + 5;
  c.client.addr = IpAddress::V4(0x0a000001);
  c.client.port = client_port;
  c.client.state = client;
  c.server.addr = IpAddress::V4(0x0a000002);
  c.server.port = server_port;
  c.server.state = server;
  return c;
}

Anomaly AnomalyOf(const std::string& kind, const std::string& endpoint,
                  uint64_t count, std::vector<uint64_t> packets) {
  Anomaly a;
  a.kind = kind;
  a.severity = InfoOf(*AnomalyKindFromId(kind)).severity;
  a.endpoint = endpoint;
  a.count = count;
  a.first_packet = packets.empty() ? 0 : packets.front();
  a.last_packet = packets.empty() ? 0 : packets.back();
  a.packets = std::move(packets);
  a.detail = "detail of " + kind;
  return a;
}

AnalysisResult Sample() {
  AnalysisResult r;
  r.connections.push_back(Connection(1, 40000, 8080, TcpState::kTimeWait,
                                     TcpState::kClosed));
  ConnectionRecord leak = Connection(2, 40001, 8080, TcpState::kFinWait2,
                                     TcpState::kCloseWait);
  leak.anomalies.push_back(AnomalyOf("close_wait_stuck", "server", 1,
                                     {22, 23}));
  r.connections.push_back(leak);
  ConnectionRecord busy = Connection(3, 40002, 9090, TcpState::kEstablished,
                                     TcpState::kEstablished);
  busy.anomalies.push_back(AnomalyOf("retransmission", "client", 4,
                                     {31, 32, 33, 34}));
  r.connections.push_back(busy);
  const Anomaly flood = AnomalyOf("syn_flood", "10.0.0.2", 1, {1, 2, 3});
  HostRecord host;
  host.addr = IpAddress::V4(0x0a000002);
  host.anomalies.push_back(flood);
  r.hosts.push_back(host);
  r.anomalies.push_back(flood);
  return r;
}

}  // namespace ci_testing
}  // namespace tcpstate
