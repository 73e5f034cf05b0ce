#pragma once

#include <cstddef>
#include <cstdint>

namespace tcpstate {

// RFC 9293 section 3.3.2 connection states, per endpoint, plus kUnknown for
// "the capture cannot tell".
enum class TcpState : uint8_t {
  kUnknown,
  kClosed,
  kListen,
  kSynSent,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,  // keep last: kNumTcpStates counts up to it
};
inline constexpr size_t kNumTcpStates =
    static_cast<size_t>(TcpState::kTimeWait) + 1;

// "SYN_SENT", "FIN_WAIT_1", ... as printed in every report.
const char* TcpStateName(TcpState s);

// ESTABLISHED and every state after it (RFC 9293 3.3.2 "synchronized").
bool IsSynchronized(TcpState s);

}  // namespace tcpstate
