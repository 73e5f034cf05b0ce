#include "analyzer/connection_pool.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace tcpstate {

void ConnectionPool::Grow() {
  Block b;
  if (blocks_.size() >= kSmallBlocks) {
    void* p = std::aligned_alloc(kLargeBlockBytes, kLargeBlockBytes);
    if (p != nullptr) {
      // A hint: without transparent huge pages the block still works.
      madvise(p, kLargeBlockBytes, MADV_HUGEPAGE);
      b.slots = static_cast<Slot*>(p);
      b.large = true;
      capacity_ = kLargeBlockBytes / sizeof(Slot);
    }
  }
  if (b.slots == nullptr) {  // a small block (or aligned memory ran out)
    b.slots = static_cast<Slot*>(::operator new(kSmallBlock * sizeof(Slot)));
    capacity_ = kSmallBlock;
  }
  blocks_.push_back(b);
  used_ = 0;
}

ConnectionPool::~ConnectionPool() {
  for (const Block& b : blocks_) {
    if (b.large) {
      std::free(b.slots);
    } else {
      ::operator delete(b.slots);
    }
  }
}

}  // namespace tcpstate
