#include "analyzer/analysis_result.h"
#include "analyzer/anomaly.h"
#include "analyzer/role_rule.h"
#include "analyzer/tcp_state.h"

namespace tcpstate {

const char* TcpStateName(TcpState s) {
  switch (s) {
    case TcpState::kUnknown:
      return "UNKNOWN";
    case TcpState::kClosed:
      return "CLOSED";
    case TcpState::kListen:
      return "LISTEN";
    case TcpState::kSynSent:
      return "SYN_SENT";
    case TcpState::kSynReceived:
      return "SYN_RECEIVED";
    case TcpState::kEstablished:
      return "ESTABLISHED";
    case TcpState::kFinWait1:
      return "FIN_WAIT_1";
    case TcpState::kFinWait2:
      return "FIN_WAIT_2";
    case TcpState::kCloseWait:
      return "CLOSE_WAIT";
    case TcpState::kClosing:
      return "CLOSING";
    case TcpState::kLastAck:
      return "LAST_ACK";
    case TcpState::kTimeWait:
      return "TIME_WAIT";
  }
  return "UNKNOWN";
}

bool IsSynchronized(TcpState s) {
  switch (s) {
    case TcpState::kEstablished:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kCloseWait:
    case TcpState::kClosing:
    case TcpState::kLastAck:
    case TcpState::kTimeWait:
      return true;
    case TcpState::kUnknown:
    case TcpState::kClosed:
    case TcpState::kListen:
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
      return false;
  }
  return false;
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "info";
}

const char* CertaintyName(Certainty c) {
  switch (c) {
    case Certainty::kConfirmed:
      return "confirmed";
    case Certainty::kInferred:
      return "inferred";
    case Certainty::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* PossibleReasonId(PossibleReason r) {
  switch (r) {
    case PossibleReason::kReceiptLost:
      return "receipt_lost";
    case PossibleReason::kPeerFinArrived:
      return "peer_fin_arrived";
    case PossibleReason::kClosedBehindData:
      return "closed_behind_data";
    case PossibleReason::kClosedBehindZeroWindow:
      return "closed_behind_zero_window";
    case PossibleReason::kClosedUnseen:
      return "closed_unseen";
    case PossibleReason::kAbortedUnseen:
      return "aborted_unseen";
    case PossibleReason::kFinOrderUnseen:
      return "fin_order_unseen";
    case PossibleReason::kRstArrived:
      return "rst_arrived";
    case PossibleReason::kStillRetrying:
      return "still_retrying";
    case PossibleReason::kGaveUp:
      return "gave_up";
    case PossibleReason::kSynCookie:
      return "syn_cookie";
    case PossibleReason::kLongerTimeWait:
      return "longer_time_wait";
    case PossibleReason::kClosedBeforeCapture:
      return "closed_before_capture";
  }
  return "receipt_lost";
}

const char* RoleRuleName(RoleRule rule) {
  switch (rule) {
    case RoleRule::kSynSenderIsClient:
      return "syn_sender_is_client";
    case RoleRule::kSynAckSenderIsServer:
      return "syn_ack_sender_is_server";
    case RoleRule::kWellKnownPortIsServer:
      return "well_known_port_is_server";
    case RoleRule::kLowerPortIsServer:
      return "lower_port_is_server";
    case RoleRule::kFirstPacketReceiverIsServer:
      return "first_packet_receiver_is_server";
  }
  return "unknown";
}

const char* EndReasonName(EndReason r) {
  switch (r) {
    case EndReason::kCaptureEnd:
      return "capture_end";
    case EndReason::kClosed:
      return "closed";
    case EndReason::kReset:
      return "reset";
    case EndReason::kTimeWaitExpired:
      return "time_wait_expired";
    case EndReason::kIdleTimeout:
      return "idle_timeout";
    case EndReason::kPortReuse:
      return "port_reuse";
    case EndReason::kEvicted:
      return "evicted";
  }
  return "capture_end";
}

}  // namespace tcpstate
