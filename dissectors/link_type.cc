#include "dissectors/link_type.h"

namespace tcpstate {

const char* LinkTypeName(LinkType type) {
  switch (type) {
    case LinkType::kEthernet:
      return "EN10MB";
    case LinkType::kLinuxSll:
      return "LINUX_SLL";
    case LinkType::kLinuxSll2:
      return "LINUX_SLL2";
    case LinkType::kNull:
      return "NULL";
    case LinkType::kLoop:
      return "LOOP";
    case LinkType::kRaw:
      return "RAW";
    case LinkType::kIpv4:
      return "IPV4";
    case LinkType::kIpv6:
      return "IPV6";
    case LinkType::kFddi:
      return "FDDI";
  }
  return "UNKNOWN";
}

}  // namespace tcpstate
