#include "analyzer/capture/decompress.h"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tcpstate {
namespace {

absl::Status Damaged(Compression c, const std::string& what) {
  return absl::DataLossError(
      absl::StrCat("damaged ", CompressionName(c), " data: ", what));
}

// Inputs and outputs are handed to the libraries in pieces they can count.
constexpr size_t kMaxPiece = size_t{1} << 30;

class Gzip : public Decompressor {
 public:
  Gzip() {
    // 15 + 16: a gzip header and trailer (not zlib's or raw deflate).
    ok_ = inflateInit2(&z_, 15 + 16) == Z_OK;
  }
  ~Gzip() override { inflateEnd(&z_); }

  absl::Status Decode(absl::Span<const uint8_t>* in, absl::Span<uint8_t> out,
                      bool end_of_input, size_t* written,
                      bool* finished) override {
    *written = 0;
    *finished = false;
    if (!ok_) {
      return absl::ResourceExhaustedError("gzip: cannot start zlib");
    }
    while (!out.empty()) {
      if (member_done_) {
        if (in->empty()) {
          *finished = end_of_input;
          return absl::OkStatus();
        }
        inflateReset(&z_);  // another member follows (cat a.gz b.gz)
        member_done_ = false;
      }
      z_.next_in = const_cast<Bytef*>(in->data());
      z_.avail_in = static_cast<uInt>(std::min(in->size(), kMaxPiece));
      z_.next_out = out.data();
      z_.avail_out = static_cast<uInt>(std::min(out.size(), kMaxPiece));
      const uInt before_in = z_.avail_in;
      const uInt before_out = z_.avail_out;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const size_t used = before_in - z_.avail_in;
      const size_t made = before_out - z_.avail_out;
      in->remove_prefix(used);
      out.remove_prefix(made);
      *written += made;
      if (rc == Z_STREAM_END) {
        member_done_ = true;
        continue;
      }
      if (rc == Z_BUF_ERROR || (rc == Z_OK && used == 0 && made == 0)) {
        if (end_of_input && in->empty()) {
          return Damaged(Compression::kGzip, "the stream is cut short");
        }
        return absl::OkStatus();  // needs more input
      }
      if (rc != Z_OK) {
        return Damaged(Compression::kGzip,
                       z_.msg != nullptr ? z_.msg : "inflate failed");
      }
    }
    return absl::OkStatus();
  }

 private:
  z_stream z_{};
  bool ok_ = false;
  bool member_done_ = false;
};

class Zstd : public Decompressor {
 public:
  Zstd() : d_(ZSTD_createDStream()) {
    if (d_ != nullptr) {
      ZSTD_initDStream(d_);
    }
  }
  ~Zstd() override { ZSTD_freeDStream(d_); }

  absl::Status Decode(absl::Span<const uint8_t>* in, absl::Span<uint8_t> out,
                      bool end_of_input, size_t* written,
                      bool* finished) override {
    *written = 0;
    *finished = false;
    if (d_ == nullptr) {
      return absl::ResourceExhaustedError("zstd: cannot start the decoder");
    }
    ZSTD_inBuffer ib{in->data(), in->size(), 0};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    while (ob.pos < ob.size) {
      const size_t in_before = ib.pos;
      const size_t out_before = ob.pos;
      const size_t rc = ZSTD_decompressStream(d_, &ob, &ib);
      if (ZSTD_isError(rc)) {
        return Damaged(Compression::kZstd, ZSTD_getErrorName(rc));
      }
      if (ib.pos == in_before && ob.pos == out_before) {
        break;  // needs more input
      }
      frame_complete_ = rc == 0;  // 0: a frame ended exactly here
    }
    in->remove_prefix(ib.pos);
    *written = ob.pos;
    if (end_of_input && in->empty() && ob.pos < ob.size) {
      if (!frame_complete_) {
        return Damaged(Compression::kZstd, "the stream is cut short");
      }
      *finished = true;
    }
    return absl::OkStatus();
  }

 private:
  ZSTD_DStream* d_;
  bool frame_complete_ = false;
};

class Xz : public Decompressor {
 public:
  Xz() {
    ok_ = lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~Xz() override { lzma_end(&s_); }

  absl::Status Decode(absl::Span<const uint8_t>* in, absl::Span<uint8_t> out,
                      bool end_of_input, size_t* written,
                      bool* finished) override {
    *written = 0;
    *finished = false;
    if (!ok_) {
      return absl::ResourceExhaustedError("xz: cannot start the decoder");
    }
    s_.next_in = in->data();
    s_.avail_in = in->size();
    s_.next_out = out.data();
    s_.avail_out = out.size();
    const lzma_ret rc =
        lzma_code(&s_, end_of_input ? LZMA_FINISH : LZMA_RUN);
    in->remove_prefix(in->size() - s_.avail_in);
    *written = out.size() - s_.avail_out;
    if (rc == LZMA_STREAM_END) {
      *finished = true;
      return absl::OkStatus();
    }
    if (rc == LZMA_OK) {
      return absl::OkStatus();
    }
    if (rc == LZMA_BUF_ERROR && !end_of_input) {
      return absl::OkStatus();
    }
    return Damaged(Compression::kXz, rc == LZMA_BUF_ERROR
                                         ? "the stream is cut short"
                                         : absl::StrCat("lzma error ", rc));
  }

 private:
  lzma_stream s_ = LZMA_STREAM_INIT;
  bool ok_ = false;
};

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kXz:
      return "xz";
  }
  return "";
}

Compression DetectCompression(absl::Span<const uint8_t> h) {
  if (h.size() >= 2 && h[0] == 0x1F && h[1] == 0x8B) {
    return Compression::kGzip;
  }
  if (h.size() >= 4 && h[0] == 0x28 && h[1] == 0xB5 && h[2] == 0x2F &&
      h[3] == 0xFD) {
    return Compression::kZstd;
  }
  if (h.size() >= 6 && h[0] == 0xFD && h[1] == '7' && h[2] == 'z' &&
      h[3] == 'X' && h[4] == 'Z' && h[5] == 0x00) {
    return Compression::kXz;
  }
  return Compression::kNone;
}

std::unique_ptr<Decompressor> Decompressor::Make(Compression c) {
  switch (c) {
    case Compression::kNone:
      return nullptr;
    case Compression::kGzip:
      return std::make_unique<Gzip>();
    case Compression::kZstd:
      return std::make_unique<Zstd>();
    case Compression::kXz:
      return std::make_unique<Xz>();
  }
  return nullptr;
}

}  // namespace tcpstate
