#pragma once

#include <cstdint>

namespace tcpstate {

// How client and server were told apart (docs/accuracy.md "How states are rebuilt").
enum class RoleRule : uint8_t {
  kSynSenderIsClient,
  kSynAckSenderIsServer,
  kWellKnownPortIsServer,
  kLowerPortIsServer,
  kFirstPacketReceiverIsServer,
};

// "syn_sender_is_client", ... as the reports print it.
const char* RoleRuleName(RoleRule rule);

}  // namespace tcpstate
