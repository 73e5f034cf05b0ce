// Replaced by the pcap file source.
namespace tcpstate {}
