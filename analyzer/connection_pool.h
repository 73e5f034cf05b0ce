#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "analyzer/connection.h"

namespace tcpstate {

// Storage for the flow table's connections: blocks of slots, freed slots
// reused first. One allocation per block instead of one per connection (no
// per-object malloc header or search), and the addresses stay put, so the
// table and the eviction lists hold plain pointers. Memory follows the most
// connections open at once.
//
// The first blocks are small (a short capture costs little). Past them,
// blocks are 2 MiB, aligned, and marked for transparent huge pages: a
// million connections then touch their memory with a few thousand page
// faults instead of half a million (each one expensive on a VM).
class ConnectionPool {
 public:
  static constexpr size_t kSmallBlock = 64;     // slots
  static constexpr size_t kSmallBlocks = 16;    // before the large ones
  static constexpr size_t kLargeBlockBytes = size_t{2} << 20;

  ConnectionPool() = default;
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // Every connection must have been deleted by then.
  ~ConnectionPool();

  template <typename... Args>
  Connection* New(Args&&... args) {
    Slot* slot = free_;
    if (slot != nullptr) {
      free_ = slot->next;
    } else {
      if (used_ == capacity_) {
        Grow();
      }
      slot = &blocks_.back().slots[used_++];
    }
    return new (slot->bytes) Connection(std::forward<Args>(args)...);
  }

  void Delete(Connection* conn) {
    conn->~Connection();
    Slot* slot = reinterpret_cast<Slot*>(conn);
    slot->next = free_;
    free_ = slot;
  }

 private:
  union Slot {
    Slot* next;
    alignas(Connection) unsigned char bytes[sizeof(Connection)];
  };
  struct Block {
    Slot* slots = nullptr;
    bool large = false;
  };

  void Grow();

  std::vector<Block> blocks_;
  size_t used_ = 0;      // slots taken in the last block
  size_t capacity_ = 0;  // slots in the last block
  Slot* free_ = nullptr;
};

}  // namespace tcpstate
