#include "analyzer/part_file.h"

#include <algorithm>
#include <queue>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/part_codec.h"

namespace tcpstate {
namespace {

constexpr absl::string_view kMagic = "TCPSTATE-PART\n";
constexpr absl::string_view kEndMagic = "TCPSTATE-END\n";
constexpr size_t kFooterBytes = 8 + 13;
constexpr size_t kWriteBytes = size_t{256} << 10;
constexpr uint64_t kMaxHeaderBytes = uint64_t{1} << 20;

void EncodeTag(const ShardTag& t, PartEncoder& e) {
  e.U(t.packet);
  e.Byte(t.phase);
  e.U(t.order);
}

void DecodeTag(PartDecoder& d, ShardTag* t) {
  t->packet = d.U();
  t->phase = static_cast<uint8_t>(d.Below(ShardTag::kEnd + 1));
  t->order = d.U();
}

}  // namespace

PartWriter::PartWriter(std::ostream* out, const PartHeader& header)
    : out_(out) {
  PartEncoder h;
  h.Str(header.tcpstate_version);
  h.U(header.shard);
  h.U(header.shards);
  h.Str(header.fingerprint);
  h.Str(header.filter);
  h.U(header.inputs.size());
  for (const std::string& in : header.inputs) {
    h.Str(in);
  }
  PartEncoder e;
  e.U(kPartFormatVersion);
  e.U(h.bytes().size());
  pending_.append(kMagic.data(), kMagic.size());
  pending_ += e.bytes();
  pending_ += h.bytes();
}

void PartWriter::Entry(PartEntry::Type type) {
  PartEncoder e;
  e.Byte(static_cast<uint8_t>(type));
  e.U(payload_.size());
  pending_ += e.bytes();
  pending_ += payload_;
  if (pending_.size() >= kWriteBytes) {
    Flush();
  }
}

void PartWriter::Created(const ShardTag& tag, uint64_t id, uint64_t reuses) {
  PartEncoder e;
  EncodeTag(tag, e);
  e.U(id);
  e.U(reuses);
  payload_ = std::move(e.bytes());
  Entry(PartEntry::Type::kCreated);
}

void PartWriter::Finished(const ShardTag& tag, ConnectionRecord&& rec) {
  PartEncoder e;
  EncodeTag(tag, e);
  EncodeRecord(rec, e);
  payload_ = std::move(e.bytes());
  Entry(PartEntry::Type::kFinished);
}

void PartWriter::Flush() {
  out_->write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
  offset_ += pending_.size();
  pending_.clear();
}

void PartWriter::Finish(const PartTrailer& t) {
  pending_.push_back(static_cast<char>(PartEntry::Type::kEnd));
  const uint64_t trailer_offset = offset_ + pending_.size();
  PartEncoder e;
  EncodeSummary(t.summary, e);
  e.U(t.created);
  e.U(t.inputs.size());
  for (const InputInfo& in : t.inputs) {
    EncodeInput(in, e);
  }
  e.Str(t.error);
  e.U(t.digest);
  pending_ += e.bytes();
  for (int i = 0; i < 8; ++i) {
    pending_.push_back(static_cast<char>((trailer_offset >> (8 * i)) & 0xFF));
  }
  pending_.append(kEndMagic.data(), kEndMagic.size());
  Flush();
  out_->flush();
}

absl::StatusOr<std::unique_ptr<PartReader>> PartReader::Open(
    const std::string& path) {
  std::unique_ptr<PartReader> r(new PartReader(path));
  r->in_.open(path, std::ios::binary);
  if (!r->in_) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open the part"));
  }
  r->in_.seekg(0, std::ios::end);
  const std::streamoff size = r->in_.tellg();
  r->in_.seekg(0);
  if (size < 0) {
    return absl::DataLossError(absl::StrCat(path, ": cannot read the part"));
  }
  absl::Status s = r->ReadHeader();
  if (s.ok()) {
    s = r->ReadTrailer(static_cast<uint64_t>(size));
  }
  if (!s.ok()) {
    return s;
  }
  return r;
}

absl::Status PartReader::Damaged(uint64_t offset,
                                 const std::string& what) const {
  return absl::DataLossError(
      absl::StrCat(path_, ": damaged part at byte ", offset, ": ", what));
}

absl::Status PartReader::ReadHeader() {
  std::string start(kMagic.size() + 20, '\0');
  in_.read(start.data(), static_cast<std::streamsize>(start.size()));
  start.resize(static_cast<size_t>(in_.gcount()));
  in_.clear();
  if (absl::string_view(start).substr(0, kMagic.size()) != kMagic) {
    return absl::InvalidArgumentError(absl::StrCat(
        path_, ": not a tcpstate part (write one with --shard K/N)"));
  }
  PartDecoder d(absl::string_view(start).substr(kMagic.size()));
  const uint64_t version = d.U();
  const uint64_t length = d.U();
  if (!d.ok()) {
    return Damaged(kMagic.size(), "the header is cut short");
  }
  if (version != kPartFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        path_, ": part format version ", version, "; this tcpstate reads ",
        kPartFormatVersion, " (merge parts with the tcpstate that wrote them)"));
  }
  if (length > kMaxHeaderBytes) {
    return Damaged(kMagic.size(), "the header is too long");
  }
  const uint64_t header_at = kMagic.size() + d.position();
  buffer_.resize(static_cast<size_t>(length));
  in_.seekg(static_cast<std::streamoff>(header_at));
  in_.read(buffer_.data(), static_cast<std::streamsize>(length));
  if (static_cast<uint64_t>(in_.gcount()) != length) {
    return Damaged(header_at, "the header is cut short");
  }
  PartDecoder h{absl::string_view(buffer_)};
  header_.tcpstate_version = h.Str();
  header_.shard = h.U();
  header_.shards = h.U();
  header_.fingerprint = h.Str();
  header_.filter = h.Str();
  const uint64_t inputs = h.U();
  for (uint64_t i = 0; h.ok() && i < inputs; ++i) {
    header_.inputs.push_back(h.Str());
  }
  if (!h.ok() || !h.done() || header_.shards == 0 ||
      header_.shard >= header_.shards) {
    return Damaged(header_at, "the header does not decode");
  }
  offset_ = header_at + length;
  return absl::OkStatus();
}

absl::Status PartReader::ReadTrailer(uint64_t size) {
  std::string footer(kFooterBytes, '\0');
  if (size >= offset_ + 1 + kFooterBytes) {
    in_.seekg(static_cast<std::streamoff>(size - kFooterBytes));
    in_.read(footer.data(), static_cast<std::streamsize>(kFooterBytes));
  }
  if (size < offset_ + 1 + kFooterBytes || !in_ ||
      absl::string_view(footer).substr(8) != kEndMagic) {
    return absl::DataLossError(absl::StrCat(
        path_, ": the part is unfinished (its run was stopped or failed, "
        "or the file was cut short)"));
  }
  uint64_t at = 0;
  for (int i = 0; i < 8; ++i) {
    at |= uint64_t{static_cast<uint8_t>(footer[i])} << (8 * i);
  }
  if (at <= offset_ || at > size - kFooterBytes) {
    return Damaged(size - kFooterBytes, "the trailer offset is out of range");
  }
  entries_end_ = at;
  buffer_.resize(static_cast<size_t>(size - kFooterBytes - at));
  in_.seekg(static_cast<std::streamoff>(at));
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  PartDecoder d{absl::string_view(buffer_)};
  DecodeSummary(d, &trailer_.summary);
  trailer_.created = d.U();
  const uint64_t inputs = d.U();
  for (uint64_t i = 0; d.ok() && i < inputs; ++i) {
    InputInfo info;
    DecodeInput(d, &info);
    trailer_.inputs.push_back(std::move(info));
  }
  trailer_.error = d.Str();
  trailer_.digest = d.U();
  if (!in_ || !d.ok() || !d.done()) {
    return Damaged(at, "the trailer does not decode");
  }
  in_.seekg(static_cast<std::streamoff>(offset_));
  return absl::OkStatus();
}

absl::Status PartReader::Next(PartEntry* entry) {
  const uint64_t at = offset_;
  if (at >= entries_end_) {
    return Damaged(at, "the entries run into the trailer");
  }
  char head[11];
  const uint64_t can = std::min<uint64_t>(sizeof(head), entries_end_ - at);
  in_.read(head, static_cast<std::streamsize>(can));
  if (static_cast<uint64_t>(in_.gcount()) != can) {
    return Damaged(at, "cannot read the entry");
  }
  PartDecoder d(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(head),
                                    static_cast<size_t>(can)));
  const uint8_t type = d.Byte();
  if (type == static_cast<uint8_t>(PartEntry::Type::kEnd)) {
    if (at + 1 != entries_end_) {
      return Damaged(at, "an end mark before the trailer");
    }
    entry->type = PartEntry::Type::kEnd;
    return absl::OkStatus();
  }
  const uint64_t length = d.U();
  const uint64_t payload_at = at + d.position();
  if (!d.ok() || type > 2 || length > entries_end_ - payload_at) {
    return Damaged(at, "not an entry");
  }
  buffer_.resize(static_cast<size_t>(length));
  in_.seekg(static_cast<std::streamoff>(payload_at));
  in_.read(buffer_.data(), static_cast<std::streamsize>(length));
  if (static_cast<uint64_t>(in_.gcount()) != length) {
    return Damaged(at, "the entry is cut short");
  }
  PartDecoder p{absl::string_view(buffer_)};
  entry->type = static_cast<PartEntry::Type>(type);
  DecodeTag(p, &entry->tag);
  if (entry->type == PartEntry::Type::kCreated) {
    entry->id = p.U();
    entry->reuses = p.U();
  } else {
    DecodeRecord(p, &entry->record);
  }
  if (!p.ok() || !p.done()) {
    return Damaged(at, "the entry does not decode");
  }
  offset_ = payload_at + length;
  return absl::OkStatus();
}

absl::Status ReplayParts(const std::vector<PartReader*>& by_shard,
                         std::optional<absl::Time> end, ShardMerge& merge) {
  const size_t n = by_shard.size();
  std::vector<PartEntry> current(n);
  using Item = std::pair<ShardTag, size_t>;
  const auto later = [](const Item& x, const Item& y) {
    return y.first < x.first;
  };
  std::priority_queue<Item, std::vector<Item>, decltype(later)> heap(later);
  const auto advance = [&](size_t k) -> absl::Status {
    absl::Status s = by_shard[k]->Next(&current[k]);
    if (s.ok() && current[k].type != PartEntry::Type::kEnd) {
      heap.emplace(current[k].tag, k);
    }
    return s;
  };
  for (size_t k = 0; k < n; ++k) {
    if (absl::Status s = advance(k); !s.ok()) {
      return s;
    }
  }
  bool end_told = false;
  while (!heap.empty()) {
    const size_t k = heap.top().second;
    heap.pop();
    PartEntry& e = current[k];
    if (e.tag.phase == ShardTag::kEnd && !end_told && end) {
      merge.collector().SetCaptureEnd(*end);
      end_told = true;
    }
    if (e.type == PartEntry::Type::kCreated) {
      merge.Created(k, e.id, e.reuses);
    } else {
      merge.Finished(k, std::move(e.record));
    }
    if (absl::Status s = advance(k); !s.ok()) {
      return s;
    }
  }
  if (!end_told && end) {
    merge.collector().SetCaptureEnd(*end);
  }
  return absl::OkStatus();
}

}  // namespace tcpstate
