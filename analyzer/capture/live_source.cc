#include "analyzer/capture/live_source.h"

#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "analyzer/capture/dlt_map.h"
#include "analyzer/status_macros.h"

namespace tcpstate {
namespace {

// How pcap_activate's result reads as a status.
absl::Status ActivationError(int rc, pcap_t* pcap, const std::string& iface) {
  const std::string what = absl::StrCat(iface, ": ", pcap_geterr(pcap));
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return absl::NotFoundError(
          absl::StrCat(iface, ": no such interface (", pcap_geterr(pcap),
                       ")"));
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return absl::PermissionDeniedError(absl::StrCat(
          what, " (live capture needs root or CAP_NET_RAW)"));
    case PCAP_ERROR_IFACE_NOT_UP:
      return absl::UnavailableError(absl::StrCat(iface, ": interface is down"));
    case PCAP_ERROR_RFMON_NOTSUP:
    case PCAP_ERROR_NOT_RFMON:
      return absl::InvalidArgumentError(what);
    default:
      return absl::UnavailableError(
          absl::StrCat(iface, ": cannot capture: ", pcap_statustostr(rc), " ",
                       pcap_geterr(pcap)));
  }
}

absl::Status Check(int rc, pcap_t* pcap, const char* what) {
  if (rc == 0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", pcap_statustostr(rc), " ", pcap_geterr(pcap)));
}

}  // namespace

// The -w file, shared by the sockets of a fanout group.
struct SaveFile {
  ~SaveFile() {
    if (dumper != nullptr) {
      pcap_dump_close(dumper);
    }
  }
  std::mutex mu;
  pcap_dumper_t* dumper = nullptr;
};

class LiveSource::Impl {
 public:
  explicit Impl(const LiveSourceOptions& options) : options_(options) {}
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  absl::Status Open();
  absl::StatusOr<std::optional<Frame>> Next();
  int fd() const { return fd_; }
  absl::StatusOr<LiveStats> Stats() const;
  InputInfo info() const { return info_; }
  void Flush();
  uint16_t fanout_group() const { return fanout_group_; }
  std::shared_ptr<SaveFile> save_file() const { return save_; }
  void set_save_file(std::shared_ptr<SaveFile> s) { save_ = std::move(s); }

 private:
  absl::Status Configure();
  absl::Status Activate();
  absl::Status SetFilter();
  absl::Status JoinFanout();

  LiveSourceOptions options_;
  pcap_t* pcap_ = nullptr;
  std::shared_ptr<SaveFile> save_;
  uint16_t fanout_group_ = 0;
  LinkType link_ = LinkType::kEthernet;
  int fd_ = -1;
  InputInfo info_;
};

LiveSource::Impl::~Impl() {
  save_.reset();  // the last socket using it closes the file
  if (pcap_ != nullptr) {
    pcap_close(pcap_);
  }
}

absl::Status LiveSource::Impl::Configure() {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_ = pcap_create(options_.interface.c_str(), errbuf);
  if (pcap_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(options_.interface, ": ", errbuf));
  }
  if (options_.snaplen <= 0) {
    return absl::InvalidArgumentError("snaplen must be positive");
  }
  RETURN_IF_ERROR(
      Check(pcap_set_snaplen(pcap_, options_.snaplen), pcap_, "snaplen"));
  RETURN_IF_ERROR(Check(pcap_set_promisc(pcap_, options_.promiscuous ? 1 : 0),
                        pcap_, "promiscuous mode"));
  RETURN_IF_ERROR(Check(pcap_set_immediate_mode(pcap_, options_.immediate),
                        pcap_, "immediate mode"));
  // Without immediate mode, packets still come out at least this often.
  RETURN_IF_ERROR(Check(pcap_set_timeout(pcap_, 100), pcap_, "timeout"));
  if (options_.buffer_kib > 0) {
    RETURN_IF_ERROR(Check(pcap_set_buffer_size(pcap_, options_.buffer_kib * 1024),
                          pcap_, "buffer size"));
  }
  // Nanoseconds where the kernel offers them; microseconds otherwise.
  pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO);
  return absl::OkStatus();
}

absl::Status LiveSource::Impl::Activate() {
  const int rc = pcap_activate(pcap_);
  if (rc < 0) {
    return ActivationError(rc, pcap_, options_.interface);
  }
  const int dlt = pcap_datalink(pcap_);
  const std::optional<LinkType> link = LinkTypeFromDlt(dlt);
  if (!link) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return absl::UnimplementedError(absl::StrFormat(
        "%s: unsupported link type %s (%d); supported: %s",
        options_.interface, name != nullptr ? name : "?", dlt,
        SupportedLinkTypeNames()));
  }
  link_ = *link;
  const char* name = pcap_datalink_val_to_name(dlt);
  info_.link_type = name != nullptr ? name : absl::StrCat("DLT_", dlt);
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  if (pcap_setnonblock(pcap_, 1, errbuf) != 0) {
    return absl::UnavailableError(
        absl::StrCat(options_.interface, ": ", errbuf));
  }
  fd_ = pcap_get_selectable_fd(pcap_);
  if (fd_ < 0) {
    return absl::UnimplementedError(
        absl::StrCat(options_.interface, ": no selectable descriptor"));
  }
  return absl::OkStatus();
}

absl::Status LiveSource::Impl::SetFilter() {
  if (options_.bpf_filter.empty()) {
    return absl::OkStatus();
  }
  bpf_program program{};
  if (pcap_compile(pcap_, &program, options_.bpf_filter.c_str(), 1,
                   PCAP_NETMASK_UNKNOWN) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad filter '", options_.bpf_filter, "': ", pcap_geterr(pcap_)));
  }
  const int rc = pcap_setfilter(pcap_, &program);
  pcap_freecode(&program);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot set filter: ", pcap_geterr(pcap_)));
  }
  return absl::OkStatus();
}

// libpcap 1.10 has no fanout call: the option goes on its socket after
// activation (packet(7)). The group id comes back from getsockopt.
absl::Status LiveSource::Impl::JoinFanout() {
  const int fd = pcap_fileno(pcap_);
  uint32_t mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
  if (options_.fanout_group == 0) {
    mode |= PACKET_FANOUT_FLAG_UNIQUEID;
  }
  int arg = static_cast<int>(options_.fanout_group | (mode << 16));
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
    return absl::UnavailableError(absl::StrCat(
        options_.interface, ": cannot join a PACKET_FANOUT group: ",
        strerror(errno)));
  }
  socklen_t len = sizeof(arg);
  if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) != 0) {
    return absl::UnavailableError(absl::StrCat(
        options_.interface, ": PACKET_FANOUT: ", strerror(errno)));
  }
  fanout_group_ = static_cast<uint16_t>(arg & 0xffff);
  return absl::OkStatus();
}

absl::Status LiveSource::Impl::Open() {
  info_.name = options_.interface;
  RETURN_IF_ERROR(Configure());
  RETURN_IF_ERROR(Activate());
  RETURN_IF_ERROR(SetFilter());
  if (options_.fanout) {
    RETURN_IF_ERROR(JoinFanout());
  }
  if (!options_.save_file.empty()) {
    save_ = std::make_shared<SaveFile>();
    save_->dumper = pcap_dump_open(pcap_, options_.save_file.c_str());
    if (save_->dumper == nullptr) {
      return absl::PermissionDeniedError(absl::StrCat(
          options_.save_file, ": cannot write: ", pcap_geterr(pcap_)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Frame>> LiveSource::Impl::Next() {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(pcap_, &header, &data);
  if (rc == 0) {
    return std::nullopt;
  }
  if (rc != 1) {
    info_.error = absl::StrCat(options_.interface, ": capture stopped: ",
                               pcap_geterr(pcap_));
    return absl::UnavailableError(info_.error);
  }
  if (save_ != nullptr) {
    std::lock_guard<std::mutex> lock(save_->mu);
    pcap_dump(reinterpret_cast<u_char*>(save_->dumper), header, data);
  }
  ++info_.packets;
  info_.bytes += header->caplen;
  const bool nano =
      pcap_get_tstamp_precision(pcap_) == PCAP_TSTAMP_PRECISION_NANO;
  Frame frame;
  frame.timestamp = absl::FromUnixSeconds(header->ts.tv_sec) +
                    (nano ? absl::Nanoseconds(header->ts.tv_usec)
                          : absl::Microseconds(header->ts.tv_usec));
  frame.number = info_.packets;
  frame.wire_length = header->len;
  frame.link = link_;
  frame.bytes = absl::Span<const uint8_t>(data, header->caplen);
  return frame;
}

absl::StatusOr<LiveStats> LiveSource::Impl::Stats() const {
  pcap_stat st{};
  if (pcap_stats(pcap_, &st) != 0) {
    return absl::UnavailableError(
        absl::StrCat(options_.interface, ": no statistics: ",
                     pcap_geterr(pcap_)));
  }
  LiveStats s;
  s.received = st.ps_recv;
  s.dropped_by_kernel = st.ps_drop;
  s.dropped_by_interface = st.ps_ifdrop;
  return s;
}

void LiveSource::Impl::Flush() {
  if (save_ != nullptr) {
    std::lock_guard<std::mutex> lock(save_->mu);
    pcap_dump_flush(save_->dumper);
  }
}

absl::StatusOr<std::unique_ptr<LiveSource>> LiveSource::Open(
    const LiveSourceOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<LiveSource>(new LiveSource(std::move(impl)));
}

LiveSource::LiveSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveSource::~LiveSource() = default;

absl::StatusOr<std::optional<Frame>> LiveSource::Next() {
  return impl_->Next();
}
int LiveSource::selectable_fd() const { return impl_->fd(); }
absl::StatusOr<LiveStats> LiveSource::Stats() const { return impl_->Stats(); }
InputInfo LiveSource::info() const { return impl_->info(); }
void LiveSource::Flush() { impl_->Flush(); }
uint16_t LiveSource::fanout_group() const { return impl_->fanout_group(); }
void LiveSource::ShareSaveFile(const LiveSource& first) {
  impl_->set_save_file(first.impl_->save_file());
}

}  // namespace tcpstate
