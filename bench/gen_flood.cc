// Writes a synthetic SYN-flood capture for the flood benchmark: N spoofed
// SYNs from random sources to 198.18.0.2:80, with M complete connections
// from 198.18.0.1 (handshake, request, response, orderly close) mixed in.
// Connection i sends 100 + 7*i bytes and receives 1000 + 13*i bytes, so a
// checker can verify every byte count. Plain pcap, Ethernet, microsecond
// timestamps, one packet per microsecond.
//
//   gen_flood SYNS COMPLETE OUT.pcap [SEED]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr uint32_t kServer = 0xC6120002;  // 198.18.0.2
constexpr uint32_t kClient = 0xC6120001;  // 198.18.0.1
constexpr uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kPsh = 0x08;

class Writer {
 public:
  explicit Writer(FILE* f) : f_(f) {
    const uint32_t header[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    std::fwrite(header, sizeof(header), 1, f_);
  }
  void Tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
           uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len) {
    frame_.assign(14 + 20 + 20, 0);
    frame_[12] = 0x08;  // IPv4
    uint8_t* ip = &frame_[14];
    const uint16_t total = static_cast<uint16_t>(40 + len);
    ip[0] = 0x45;
    Put16(ip + 2, total);
    Put16(ip + 4, static_cast<uint16_t>(++ip_id_));
    ip[8] = 64;
    ip[9] = 6;
    Put32(ip + 12, src);
    Put32(ip + 16, dst);
    Put16(ip + 10, Fold(Sum(ip, 20)));
    uint8_t* tcp = ip + 20;
    Put16(tcp, sport);
    Put16(tcp + 2, dport);
    Put32(tcp + 4, seq);
    Put32(tcp + 8, ack);
    tcp[12] = 0x50;
    tcp[13] = flags;
    Put16(tcp + 14, 65535);
    frame_.resize(frame_.size() + len, 'x');
    tcp = &frame_[34];
    uint64_t sum = Sum(&frame_[34], 20 + len);
    sum += (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
           20 + len;
    Put16(tcp + 16, Fold(sum));
    const uint32_t rec[4] = {static_cast<uint32_t>(usec_ / 1000000),
                             static_cast<uint32_t>(usec_ % 1000000),
                             static_cast<uint32_t>(frame_.size()),
                             static_cast<uint32_t>(frame_.size())};
    std::fwrite(rec, sizeof(rec), 1, f_);
    std::fwrite(frame_.data(), frame_.size(), 1, f_);
    ++usec_;
  }

 private:
  static void Put16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
  }
  static void Put32(uint8_t* p, uint32_t v) {
    Put16(p, static_cast<uint16_t>(v >> 16));
    Put16(p + 2, static_cast<uint16_t>(v));
  }
  static uint64_t Sum(const uint8_t* p, size_t n) {
    uint64_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
      s += (p[i] << 8) | p[i + 1];
    }
    if (n % 2 != 0) {
      s += p[n - 1] << 8;
    }
    return s;
  }
  static uint16_t Fold(uint64_t s) {
    while (s >> 16) {
      s = (s & 0xffff) + (s >> 16);
    }
    return static_cast<uint16_t>(~s);
  }

  FILE* f_;
  std::vector<uint8_t> frame_;
  uint16_t ip_id_ = 0;
  uint64_t usec_ = 1763730000ull * 1000000;
};

void Complete(Writer& w, uint32_t i) {
  const uint16_t port = static_cast<uint16_t>(20000 + i);
  const uint32_t c = 1000 + i * 100000, s = 7000 + i * 300000;
  const uint32_t req = 100 + 7 * i, resp = 1000 + 13 * i;
  w.Tcp(kClient, kServer, port, 80, c, 0, kSyn, 0);
  w.Tcp(kServer, kClient, 80, port, s, c + 1, kSyn | kAck, 0);
  w.Tcp(kClient, kServer, port, 80, c + 1, s + 1, kAck, 0);
  w.Tcp(kClient, kServer, port, 80, c + 1, s + 1, kAck | kPsh, req);
  w.Tcp(kServer, kClient, 80, port, s + 1, c + 1 + req, kAck | kPsh, resp);
  w.Tcp(kClient, kServer, port, 80, c + 1 + req, s + 1 + resp, kAck | kFin, 0);
  w.Tcp(kServer, kClient, 80, port, s + 1 + resp, c + 2 + req, kAck | kFin,
        0);
  w.Tcp(kClient, kServer, port, 80, c + 2 + req, s + 2 + resp, kAck, 0);
}

// Connection i of `open` mode: from 10.x.y.z (a distinct address per 60,000
// connections) to the server, handshake and one request, never closed.
void OpenConnection(Writer& w, uint64_t i) {
  const uint32_t client = 0x0A000000u + static_cast<uint32_t>(i / 60000) + 1;
  const uint16_t port = static_cast<uint16_t>(1024 + i % 60000);
  const uint32_t c = static_cast<uint32_t>(i * 2654435761u);
  const uint32_t s = c ^ 0x5bd1e995u;
  w.Tcp(client, kServer, port, 80, c, 0, kSyn, 0);
  w.Tcp(kServer, client, 80, port, s, c + 1, kSyn | kAck, 0);
  w.Tcp(client, kServer, port, 80, c + 1, s + 1, kAck, 0);
  w.Tcp(client, kServer, port, 80, c + 1, s + 1, kAck | kPsh, 200);
}

int Usage() {
  std::fprintf(stderr,
               "usage: gen_flood SYNS COMPLETE OUT.pcap [SEED] [--answered]\n"
               "       gen_flood --open N OUT.pcap\n");
  return 2;
}

}  // namespace

// gen_flood SYNS COMPLETE OUT.pcap [SEED] [--answered]: SYNS spoofed SYNs
// (each answered by the server's SYN-ACK with --answered) and COMPLETE
// complete connections. gen_flood --open N OUT.pcap: N connections opened
// (handshake and a 200-byte request) and left open: N concurrent
// connections at the end of the capture.
int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "--open") {
    FILE* f = std::fopen(argv[3], "wb");
    if (f == nullptr) {
      std::perror(argv[3]);
      return 2;
    }
    Writer w(f);
    const uint64_t n = std::strtoull(argv[2], nullptr, 10);
    for (uint64_t i = 0; i < n; ++i) {
      OpenConnection(w, i);
    }
    std::fclose(f);
    return 0;
  }
  if (argc < 4) {
    return Usage();
  }
  const uint64_t syns = std::strtoull(argv[1], nullptr, 10);
  const uint32_t complete = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  FILE* f = std::fopen(argv[3], "wb");
  if (f == nullptr) {
    std::perror(argv[3]);
    return 2;
  }
  const bool answered = std::string(argv[argc - 1]) == "--answered";
  const int plain_args = answered ? argc - 1 : argc;
  std::mt19937_64 rng(plain_args > 4 ? std::strtoull(argv[4], nullptr, 10) : 1);
  Writer w(f);
  const uint64_t every = complete > 0 ? syns / complete : 0;
  uint32_t done = 0;
  for (uint64_t n = 0; n < syns; ++n) {
    if (every > 0 && n % every == every / 2 && done < complete) {
      Complete(w, done++);
    }
    uint32_t src = static_cast<uint32_t>(rng());
    if (src == kClient) {
      ++src;
    }
    const uint64_t r = rng();
    const uint16_t sport = static_cast<uint16_t>(1024 + r % 60000);
    const uint32_t isn = static_cast<uint32_t>(r >> 32);
    w.Tcp(src, kServer, sport, 80, isn, 0, kSyn, 0);
    if (answered) {
      w.Tcp(kServer, src, 80, sport, isn ^ 0x9e3779b9u, isn + 1, kSyn | kAck,
            0);
    }
  }
  while (done < complete) {
    Complete(w, done++);
  }
  std::fclose(f);
  return 0;
}
