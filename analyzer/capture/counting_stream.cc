#include "analyzer/capture/counting_stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace tcpstate {
namespace {

// Large reads keep the number of read(2) calls low on big captures.
constexpr size_t kStreamBufferSize = 1 << 16;

struct CountingCookie {
  int fd;
  bool owns_fd;
  uint64_t bytes_read;
  BlockGuard* guard;  // may be null
};

ssize_t CookieRead(void* cookie, char* buffer, size_t size) {
  auto* state = static_cast<CountingCookie*>(cookie);
  if (state->guard != nullptr && state->guard->tripped()) {
    errno = EFBIG;
    return -1;
  }
  while (true) {
    ssize_t n = read(state->fd, buffer, size);
    if (n > 0 && state->guard != nullptr) {
      // The bytes of a held-back block are never handed to libpcap.
      n = static_cast<ssize_t>(state->guard->Admit(
          reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n)));
      if (n == 0) {
        errno = EFBIG;
        return -1;
      }
    }
    if (n >= 0) {
      state->bytes_read += static_cast<uint64_t>(n);
      return n;
    }
    if (errno != EINTR) {
      return -1;
    }
  }
}

// ftell() asks for the position with a zero SEEK_CUR request; stdio then
// subtracts what it still holds in its buffer.
int CookieSeek(void* cookie, off64_t* offset, int whence) {
  auto* state = static_cast<CountingCookie*>(cookie);
  if (whence != SEEK_CUR || *offset != 0) {
    errno = ESPIPE;
    return -1;
  }
  *offset = static_cast<off64_t>(state->bytes_read);
  return 0;
}

int CookieClose(void* cookie) {
  auto* state = static_cast<CountingCookie*>(cookie);
  int result = 0;
  if (state->owns_fd && close(state->fd) != 0) {
    result = -1;
  }
  delete state;
  return result;
}

}  // namespace

FILE* OpenCountingStream(int fd, bool owns_fd, BlockGuard* guard) {
  auto* state = new CountingCookie{fd, owns_fd, 0, guard};
  cookie_io_functions_t functions{};
  functions.read = CookieRead;
  functions.write = nullptr;
  functions.seek = CookieSeek;
  functions.close = CookieClose;
  FILE* stream = fopencookie(state, "rb", functions);
  if (stream == nullptr) {
    const int saved_errno = errno;
    if (owns_fd) {
      close(fd);
    }
    delete state;
    errno = saved_errno;
    return nullptr;
  }
  // Fully buffered with a larger buffer; failure just keeps the default.
  setvbuf(stream, nullptr, _IOFBF, kStreamBufferSize);
  return stream;
}

}  // namespace tcpstate
