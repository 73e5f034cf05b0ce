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
#include "analyzer/capture/capture_file_reader.h"
#include "analyzer/capture/dlt_map.h"
#include "analyzer/status_macros.h"

namespace tcpstate {
namespace {

constexpr char kStdinPath[] = "-";
constexpr char kStdinName[] = "<stdin>";

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

// Opens `path` for reading ("-" = standard input, not closed). Returns the
// descriptor and whether the caller owns it.
absl::StatusOr<std::pair<int, bool>> OpenInput(const std::string& path) {
  if (IsStdin(path)) {
    return std::make_pair(STDIN_FILENO, false);
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
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_pair(fd, true);
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
    return finished_bytes_ + (reader_ ? reader_->input_consumed() : 0);
  }

 private:
  absl::Status OpenPcap(const std::string& path);
  absl::Status CheckLinkType(const std::string& path);
  absl::Status CompileFilter(const std::string& path);
  // Counts the record just read; returns a frame unless the filter drops it.
  std::optional<Frame> Accept(const CaptureRecord& record);
  absl::Status RecordError(const absl::Status& damage) const;
  // Closes the current input after its clean end and moves to the next one.
  void FinishCurrent();
  absl::Status Fail(absl::Status status);
  void CloseCurrent();

  FileSourceOptions options_;
  std::vector<InputInfo> inputs_;
  uint64_t total_bytes_ = 0;

  size_t current_ = 0;
  std::unique_ptr<CaptureFileReader> reader_;
  bpf_program program_{};
  bool has_program_ = false;
  LinkType link_ = LinkType::kEthernet;
  bool done_ = false;

  uint64_t number_ = 0;          // records read across all inputs
  uint64_t returned_ = 0;        // frames returned (the filter kept)
  uint64_t record_in_file_ = 0;  // records read from the current input
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
  return absl::OkStatus();
}

absl::Status PcapFileSource::Impl::OpenPcap(const std::string& path) {
  absl::StatusOr<std::pair<int, bool>> fd = OpenInput(path);
  if (!fd.ok()) {
    return fd.status();
  }
  absl::StatusOr<std::unique_ptr<CaptureFileReader>> reader =
      CaptureFileReader::Open(fd->first, fd->second);
  if (!reader.ok()) {
    return absl::DataLossError(
        absl::StrCat(DisplayName(path), ": ", reader.status().message()));
  }
  reader_ = std::move(*reader);
  return absl::OkStatus();
}

absl::Status PcapFileSource::Impl::CheckLinkType(const std::string& path) {
  const int dlt = reader_->dlt();
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

// The filter is compiled for the file's link type and applied to each
// record with pcap_offline_filter, as tcpdump -r does.
absl::Status PcapFileSource::Impl::CompileFilter(const std::string& path) {
  if (options_.bpf_filter.empty()) {
    return absl::OkStatus();
  }
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      reader_->dlt(), static_cast<int>(reader_->snaplen()),
      PCAP_TSTAMP_PRECISION_NANO);
  if (dead == nullptr) {
    return absl::ResourceExhaustedError("cannot compile the filter");
  }
  const int rc = pcap_compile(dead, &program_, options_.bpf_filter.c_str(),
                              /*optimize=*/1, PCAP_NETMASK_UNKNOWN);
  const std::string error = rc != 0 ? pcap_geterr(dead) : "";
  pcap_close(dead);
  if (rc != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid filter \"%s\": %s (compiled for %s, link type %s)",
        options_.bpf_filter, error, DisplayName(path),
        inputs_[current_].link_type));
  }
  has_program_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Frame>> PcapFileSource::Impl::Next() {
  while (!done_) {
    if (reader_ == nullptr) {
      if (current_ >= inputs_.size()) {
        done_ = true;
        break;
      }
      RETURN_IF_ERROR(OpenCurrent());
    }
    CaptureRecord record;
    absl::StatusOr<bool> read = reader_->Next(&record);
    if (!read.ok()) {
      return Fail(RecordError(read.status()));
    }
    if (!*read) {
      FinishCurrent();
      continue;
    }
    std::optional<Frame> frame = Accept(record);
    if (frame.has_value()) {
      if (options_.max_frames != 0 && ++returned_ >= options_.max_frames) {
        done_ = true;  // -c N: the last one
      }
      return frame;
    }
  }
  return std::nullopt;
}

std::optional<Frame> PcapFileSource::Impl::Accept(const CaptureRecord& record) {
  ++number_;
  ++record_in_file_;
  InputInfo& info = inputs_[current_];
  ++info.packets;
  info.bytes += record.data.size();
  if (record.timestamp < latest_) {
    ++timestamps_backwards_;
  } else {
    latest_ = record.timestamp;
  }
  if (has_program_) {
    pcap_pkthdr header{};
    header.caplen = static_cast<bpf_u_int32>(record.data.size());
    header.len = record.wire_length;
    if (pcap_offline_filter(&program_, &header, record.data.data()) == 0) {
      return std::nullopt;
    }
  }
  Frame frame;
  frame.timestamp = record.timestamp;
  frame.number = number_;
  frame.wire_length = record.wire_length;
  frame.link = link_;
  frame.input_index = static_cast<uint32_t>(current_);
  frame.bytes = record.data;
  return frame;
}

absl::Status PcapFileSource::Impl::RecordError(
    const absl::Status& damage) const {
  return absl::DataLossError(absl::StrFormat(
      "%s: record %d at byte offset %d: %s",
      DisplayName(options_.paths[current_]), record_in_file_ + 1,
      reader_->record_offset(), damage.message()));
}

void PcapFileSource::Impl::FinishCurrent() {
  finished_bytes_ += reader_->input_consumed();
  CloseCurrent();
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
  reader_.reset();
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
