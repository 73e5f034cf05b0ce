#pragma once

#include <cstdio>

#include "analyzer/capture/block_guard.h"

namespace tcpstate {

// Opens a read-only stdio stream over the file descriptor `fd` that counts
// the bytes it reads, so that ftell() reports the logical position even on
// pipes (standard input). Only ftell-style position queries are supported;
// real seeks fail with ESPIPE. When `owns_fd` is true, fclose() closes `fd`;
// otherwise `fd` stays open (used for standard input).
//
// When `guard` is given (it must outlive the stream), every byte read is
// shown to it first; reading stops with EFBIG at the record or block it
// holds back.
//
// Returns nullptr with errno set on failure; `fd` is then closed if owned.
FILE* OpenCountingStream(int fd, bool owns_fd, BlockGuard* guard = nullptr);

}  // namespace tcpstate
