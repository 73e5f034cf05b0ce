#include "analyzer/capture/dlt_map.h"

namespace tcpstate {
namespace {

// DLT numbers as libpcap defines them on Linux. Written out rather than
// taken from <pcap/dlt.h> because DLT_RAW and DLT_LOOP differ between
// platforms and both raw spellings must be accepted.
constexpr int kDltNull = 0;
constexpr int kDltEthernet = 1;
constexpr int kDltFddi = 10;
constexpr int kDltRaw = 12;
constexpr int kDltRawBsd = 14;
constexpr int kLinktypeRaw = 101;
constexpr int kDltLoop = 108;
constexpr int kDltLinuxSll = 113;
constexpr int kDltIpv4 = 228;
constexpr int kDltIpv6 = 229;
constexpr int kDltLinuxSll2 = 276;

}  // namespace

int DltFromLinktype(uint32_t linktype) {
  linktype &= 0x03FFFFFF;
  switch (linktype) {
    case 100:
      return 11;  // ATM_RFC1483
    case kLinktypeRaw:
      return kDltRaw;
    case 102:
      return 15;  // SLIP_BSDOS
    case 103:
      return 16;  // PPP_BSDOS
    case 106:
      return 19;  // ATM_CLIP
    default:
      return static_cast<int>(linktype);
  }
}

std::optional<LinkType> LinkTypeFromDlt(int dlt) {
  switch (dlt) {
    case kDltEthernet:
      return LinkType::kEthernet;
    case kDltLinuxSll:
      return LinkType::kLinuxSll;
    case kDltLinuxSll2:
      return LinkType::kLinuxSll2;
    case kDltNull:
      return LinkType::kNull;
    case kDltLoop:
      return LinkType::kLoop;
    case kDltRaw:
    case kDltRawBsd:
    case kLinktypeRaw:
      return LinkType::kRaw;
    case kDltIpv4:
      return LinkType::kIpv4;
    case kDltIpv6:
      return LinkType::kIpv6;
    case kDltFddi:
      return LinkType::kFddi;
    default:
      return std::nullopt;
  }
}

const char* SupportedLinkTypeNames() {
  return "EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6, FDDI";
}

}  // namespace tcpstate
