#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Builds small pcap and pcapng files byte by byte, so that tests can craft
// both good and damaged captures without external tools.

namespace tcpstate {
namespace capture_testutil {

// One record. `frac` is in the file's resolution (micro- or nanoseconds).
struct Record {
  uint32_t sec = 0;
  uint32_t frac = 0;
  std::string data;
  uint32_t wire_length = 0;  // 0: same as data.size()
};

struct PcapOptions {
  bool nanosecond = false;  // magic 0xa1b23c4d instead of 0xa1b2c3d4
  uint32_t link_type = 1;   // LINKTYPE_ETHERNET
  uint32_t snaplen = 65535;
};

// Classic pcap: 24-byte global header, then 16-byte record headers + data.
std::string PcapFile(const std::vector<Record>& records,
                     const PcapOptions& options = {});
// Just the 24-byte global header.
std::string PcapHeader(const PcapOptions& options = {});
// One 16-byte record header followed by the record's data.
std::string PcapRecord(const Record& record);

struct PcapngOptions {
  uint16_t link_type = 1;
  uint8_t tsresol = 6;  // if_tsresol: power of ten (6 = us, 9 = ns)
};

// pcapng: SHB, one IDB (with if_tsresol when not 6), one EPB per record.
// `frac` is in units of 10^-tsresol seconds.
std::string PcapngFile(const std::vector<Record>& records,
                       const PcapngOptions& options = {});
std::string PcapngSectionHeader();
std::string PcapngInterface(const PcapngOptions& options = {});
std::string PcapngPacket(const Record& record, uint8_t tsresol = 6);

// Ethernet + IPv4 + minimal transport header, enough for BPF "tcp"/"udp".
std::string EthernetIpv4Packet(uint8_t ip_protocol);

// A temporary directory removed (with its files) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `contents` to `name` inside the directory; returns the full path.
  std::string Write(const std::string& name, const std::string& contents);
  std::string Path(const std::string& name) const;

 private:
  std::string path_;
  std::vector<std::string> files_;
};

}  // namespace capture_testutil
}  // namespace tcpstate
