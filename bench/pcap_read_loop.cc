// Baseline for the benchmark: the cheapest possible pass over a capture.
// Reads every record with pcap_next_ex and counts packets and captured
// bytes; nothing is decoded. Build: c++ -O2 -o pcap_read_loop pcap_read_loop.cc -lpcap
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* handle = pcap_open_offline(argv[1], errbuf);
  if (handle == nullptr) {
    std::fprintf(stderr, "pcap_open_offline: %s\n", errbuf);
    return 1;
  }
  uint64_t packets = 0;
  uint64_t captured_bytes = 0;
  uint64_t wire_bytes = 0;
  struct pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(handle, &header, &data)) == 1) {
    ++packets;
    captured_bytes += header->caplen;
    wire_bytes += header->len;
  }
  if (rc == PCAP_ERROR) {
    std::fprintf(stderr, "read error after %llu packets: %s\n",
                 static_cast<unsigned long long>(packets), pcap_geterr(handle));
  }
  pcap_close(handle);
  std::printf("packets %llu captured_bytes %llu wire_bytes %llu\n",
              static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(captured_bytes),
              static_cast<unsigned long long>(wire_bytes));
  return rc == PCAP_ERROR ? 1 : 0;
}
