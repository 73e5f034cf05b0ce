#include "analyzer/capture/pcap_file_source.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "analyzer/capture/block_guard.h"
#include "analyzer/capture/counting_stream.h"
#include "analyzer/capture/dlt_map.h"
#include "analyzer/status_macros.h"

namespace tcpstate {
namespace {

constexpr char kStdinPath[] = "-";
constexpr char kStdinName[] = "<stdin>";

// libpcap reports pcapng sections as version 1.x and pcap files as 2.x.
constexpr int kPcapngMajorVersion = 1;

bool IsStdin(const std::string& path) { return path == kStdinPath; }

// How an input is named in messages.
std::string DisplayName(const std::string& path) {
  return IsStdin(path) ? kStdinName : path;
}

// Size of a regular file, 0 when unknown (stdin, missing file, pipe).
uint64_t RegularFileSize(const std::string& path) {
  struct stat st;
  if (IsStdin(path) || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return 0;
  }
  return static_cast<uint64_t>(st.st_size);
}

std::string DltName(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return name != nullptr ? std::string(name) : absl::StrCat("DLT_", dlt);
}

// Opens `path` as a counting stdio stream ("-" = standard input, not closed).
absl::StatusOr<FILE*> OpenStream(const std::string& path, BlockGuard* guard) {
  if (IsStdin(path)) {
    FILE* stream = OpenCountingStream(STDIN_FILENO, /*owns_fd=*/false, guard);
    if (stream == nullptr) {
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat(kStdinName, ": cannot read"));
    }
    return stream;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrCat(path, ": cannot open"));
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, not a capture file"));
  }
  FILE* stream = OpenCountingStream(fd, /*owns_fd=*/true, guard);
  if (stream == nullptr) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrCat(path, ": cannot open"));
  }
  return stream;
}

absl::Time FrameTime(const pcap_pkthdr& header) {
  // Opened with nanosecond precision: tv_usec carries nanoseconds.
  return absl::FromUnixSeconds(header.ts.tv_sec) +
         absl::Nanoseconds(header.ts.tv_usec);
}

}  // namespace

class PcapFileSource::Impl {
 public:
  explicit Impl(const FileSourceOptions& options);
  ~Impl() { CloseCurrent(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  absl::Status ValidatePaths() const;
  // Opens inputs_[current_]; on failure records the error on that input.
  absl::Status OpenCurrent();
  absl::StatusOr<std::optional<Frame>> Next();

  std::vector<InputInfo> inputs() const { return inputs_; }
  uint64_t timestamps_backwards() const { return timestamps_backwards_; }
  uint64_t total_bytes() const { return total_bytes_; }
  uint64_t consumed_bytes() const {
    return finished_bytes_ +
           static_cast<uint64_t>(position_ > 0 ? position_ : 0);
  }

 private:
  absl::Status OpenPcap(const std::string& path);
  absl::Status CheckLinkType(const std::string& path);
  absl::Status CompileFilter(const std::string& path);
  // Counts the record just read; returns a frame unless the filter drops it.
  std::optional<Frame> Accept(const pcap_pkthdr& header, const u_char* data);
  absl::Status RecordError(int64_t offset) const;
  // Closes the current input after its clean end and moves to the next one.
  void FinishCurrent();
  absl::Status Fail(absl::Status status);
  void CloseCurrent();
  int64_t Position() const;

  FileSourceOptions options_;
  std::vector<InputInfo> inputs_;
  uint64_t total_bytes_ = 0;

  size_t current_ = 0;
  pcap_t* pcap_ = nullptr;
  FILE* stream_ = nullptr;  // owned by pcap_ once that is open
  BlockGuard guard_;        // sees the current input's bytes before libpcap
  bpf_program program_{};
  bool has_program_ = false;
  LinkType link_ = LinkType::kEthernet;
  bool pcapng_ = false;
  bool done_ = false;

  uint64_t number_ = 0;          // records read across all inputs
  uint64_t record_in_file_ = 0;  // records read from the current input
  int64_t position_ = 0;         // end of the last record read; -1 when unknown
  uint64_t finished_bytes_ = 0;  // bytes of inputs already read to the end
  uint64_t timestamps_backwards_ = 0;
  absl::Time latest_ = absl::InfinitePast();
};

PcapFileSource::Impl::Impl(const FileSourceOptions& options)
    : options_(options) {
  inputs_.reserve(options_.paths.size());
  for (const std::string& path : options_.paths) {
    InputInfo info;
    info.name = path;
    inputs_.push_back(std::move(info));
    total_bytes_ += RegularFileSize(path);
  }
}

absl::Status PcapFileSource::Impl::ValidatePaths() const {
  if (options_.paths.empty()) {
    return absl::InvalidArgumentError("no capture files given");
  }
  int stdin_count = 0;
  for (const std::string& path : options_.paths) {
    if (path.empty()) {
      return absl::InvalidArgumentError("empty capture file name");
    }
    stdin_count += IsStdin(path) ? 1 : 0;
  }
  if (stdin_count > 1) {
    return absl::InvalidArgumentError(
        "standard input (\"-\") can be read only once");
  }
  return absl::OkStatus();
}

absl::Status PcapFileSource::Impl::OpenCurrent() {
  const std::string& path = options_.paths[current_];
  record_in_file_ = 0;
  position_ = 0;
  absl::Status status = OpenPcap(path);
  if (status.ok()) {
    status = CheckLinkType(path);
  }
  if (status.ok()) {
    status = CompileFilter(path);
  }
  if (!status.ok()) {
    return Fail(std::move(status));
  }
  position_ = Position();
  return absl::OkStatus();
}

absl::Status PcapFileSource::Impl::OpenPcap(const std::string& path) {
  guard_ = BlockGuard();
  ASSIGN_OR_RETURN(stream_, OpenStream(path, &guard_));
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_ = pcap_fopen_offline_with_tstamp_precision(
      stream_, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap_ == nullptr) {
    // libpcap leaves the stream to us when it cannot open the capture.
    const bool empty = Position() == 0;
    fclose(stream_);
    stream_ = nullptr;
    if (guard_.tripped()) {
      return absl::DataLossError(absl::StrFormat(
          "%s: header at byte offset %d: %s", DisplayName(path),
          guard_.offset(), guard_.Describe()));
    }
    return absl::DataLossError(
        absl::StrCat(DisplayName(path), ": not a readable capture file",
                     empty ? " (empty input)" : "", ": ", errbuf));
  }
  pcapng_ = pcap_major_version(pcap_) == kPcapngMajorVersion;
  return absl::OkStatus();
}

absl::Status PcapFileSource::Impl::CheckLinkType(const std::string& path) {
  const int dlt = pcap_datalink(pcap_);
  inputs_[current_].link_type = DltName(dlt);
  const std::optional<LinkType> link = LinkTypeFromDlt(dlt);
  if (!link.has_value()) {
    return absl::UnimplementedError(absl::StrFormat(
        "%s: unsupported link type %s (%d); supported: %s", DisplayName(path),
        DltName(dlt), dlt, SupportedLinkTypeNames()));
  }
  link_ = *link;
  return absl::OkStatus();
}

absl::Status PcapFileSource::Impl::CompileFilter(const std::string& path) {
  if (options_.bpf_filter.empty()) {
    return absl::OkStatus();
  }
  if (pcap_compile(pcap_, &program_, options_.bpf_filter.c_str(),
                   /*optimize=*/1, PCAP_NETMASK_UNKNOWN) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid filter \"%s\": %s (compiled for %s, link type %s)",
        options_.bpf_filter, pcap_geterr(pcap_), DisplayName(path),
        inputs_[current_].link_type));
  }
  has_program_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Frame>> PcapFileSource::Impl::Next() {
  while (!done_) {
    if (pcap_ == nullptr) {
      if (current_ >= inputs_.size()) {
        done_ = true;
        break;
      }
      RETURN_IF_ERROR(OpenCurrent());
    }
    // Nothing else reads the stream, so the record starts where the last
    // one ended: one position query per record.
    const int64_t offset = position_;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(pcap_, &header, &data);
    if (rc == 1) {
      position_ = Position();
      std::optional<Frame> frame = Accept(*header, data);
      if (frame.has_value()) {
        return frame;
      }
    } else if (rc == PCAP_ERROR_BREAK) {
      FinishCurrent();
    } else {
      return Fail(RecordError(offset));
    }
  }
  return std::nullopt;
}

std::optional<Frame> PcapFileSource::Impl::Accept(const pcap_pkthdr& header,
                                                  const u_char* data) {
  ++number_;
  ++record_in_file_;
  InputInfo& info = inputs_[current_];
  ++info.packets;
  info.bytes += header.caplen;
  const absl::Time timestamp = FrameTime(header);
  if (timestamp < latest_) {
    ++timestamps_backwards_;
  } else {
    latest_ = timestamp;
  }
  if (has_program_ && pcap_offline_filter(&program_, &header, data) == 0) {
    return std::nullopt;
  }
  Frame frame;
  frame.timestamp = timestamp;
  frame.number = number_;
  frame.wire_length = header.len;
  frame.link = link_;
  frame.input_index = static_cast<uint32_t>(current_);
  frame.bytes = absl::Span<const uint8_t>(data, header.caplen);
  return frame;
}

absl::Status PcapFileSource::Impl::RecordError(int64_t offset) const {
  const std::string name = DisplayName(options_.paths[current_]);
  if (guard_.tripped()) {
    // The guard knows exactly where the oversized record or block starts.
    return absl::DataLossError(absl::StrFormat(
        "%s: record %d at byte offset %d: %s", name, record_in_file_ + 1,
        guard_.offset(), guard_.Describe()));
  }
  const char* reason = pcap_geterr(pcap_);
  if (offset < 0) {
    return absl::DataLossError(
        absl::StrFormat("%s: record %d (byte offset unknown): %s", name,
                        record_in_file_ + 1, reason));
  }
  // libpcap reads pcapng blocks that carry no packet (interface, name and
  // statistics blocks) silently, so the damage may lie after `offset`.
  return absl::DataLossError(absl::StrFormat(
      "%s: record %d at %sbyte offset %d: %s", name, record_in_file_ + 1,
      pcapng_ ? "approximately " : "", offset, reason));
}

void PcapFileSource::Impl::FinishCurrent() {
  const int64_t end = Position();
  finished_bytes_ += static_cast<uint64_t>(end > 0 ? end : 0);
  CloseCurrent();
  position_ = 0;
  ++current_;
}

absl::Status PcapFileSource::Impl::Fail(absl::Status status) {
  if (current_ < inputs_.size()) {
    inputs_[current_].error = std::string(status.message());
  }
  CloseCurrent();
  done_ = true;
  return status;
}

void PcapFileSource::Impl::CloseCurrent() {
  if (has_program_) {
    pcap_freecode(&program_);
    has_program_ = false;
  }
  if (pcap_ != nullptr) {
    pcap_close(pcap_);  // also closes stream_
    pcap_ = nullptr;
  } else if (stream_ != nullptr) {
    fclose(stream_);
  }
  stream_ = nullptr;
}

int64_t PcapFileSource::Impl::Position() const {
  if (stream_ == nullptr) {
    return -1;
  }
  return static_cast<int64_t>(ftello(stream_));
}

absl::StatusOr<std::unique_ptr<PcapFileSource>> PcapFileSource::Open(
    const FileSourceOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  RETURN_IF_ERROR(impl->ValidatePaths());
  RETURN_IF_ERROR(impl->OpenCurrent());
  return std::unique_ptr<PcapFileSource>(new PcapFileSource(std::move(impl)));
}

PcapFileSource::PcapFileSource(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

PcapFileSource::~PcapFileSource() = default;

absl::StatusOr<std::optional<Frame>> PcapFileSource::Next() {
  return impl_->Next();
}

std::vector<InputInfo> PcapFileSource::inputs() const {
  return impl_->inputs();
}

uint64_t PcapFileSource::timestamps_backwards() const {
  return impl_->timestamps_backwards();
}

uint64_t PcapFileSource::total_bytes() const { return impl_->total_bytes(); }

uint64_t PcapFileSource::consumed_bytes() const {
  return impl_->consumed_bytes();
}

}  // namespace tcpstate
