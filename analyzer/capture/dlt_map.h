#pragma once

#include <cstdint>
#include <optional>

#include "dissectors/link_type.h"

namespace tcpstate {

// Maps a libpcap DLT_ value (what pcap_datalink() returns) to the framing
// the dissectors understand; std::nullopt when the framing is unsupported.
// Both DLT_RAW spellings (12, 14) and LINKTYPE_RAW (101) map to kRaw.
std::optional<LinkType> LinkTypeFromDlt(int dlt);

// A LINKTYPE_ value as stored in pcap and pcapng files, as libpcap's DLT_
// value (the same number but for a few historical types, LINKTYPE_RAW among
// them; the upper bits of a pcap file's field carry FCS details).
int DltFromLinktype(uint32_t linktype);

// The supported link types by libpcap name, comma separated, for messages.
const char* SupportedLinkTypeNames();

}  // namespace tcpstate
