#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "analyzer/connection.h"

namespace tcpstate {

// Storage for the flow table's connections: blocks of kPerBlock slots,
// freed slots reused first. One allocation per block instead of one per
// connection (no per-object malloc header or search), and the addresses
// stay put, so the table and the eviction lists hold plain pointers.
// Memory follows the most connections open at once.
class ConnectionPool {
 public:
  static constexpr size_t kPerBlock = 64;

  ConnectionPool() = default;
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // Every connection must have been deleted by then.
  ~ConnectionPool() = default;

  template <typename... Args>
  Connection* New(Args&&... args) {
    Slot* slot = free_;
    if (slot != nullptr) {
      free_ = slot->next;
    } else {
      if (used_ == kPerBlock) {
        blocks_.push_back(std::make_unique<Slot[]>(kPerBlock));
        used_ = 0;
      }
      slot = &blocks_.back()[used_++];
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
    Slot() : next(nullptr) {}
    Slot* next;
    alignas(Connection) unsigned char bytes[sizeof(Connection)];
  };

  std::vector<std::unique_ptr<Slot[]>> blocks_;
  size_t used_ = kPerBlock;  // slots taken in the last block
  Slot* free_ = nullptr;
};

}  // namespace tcpstate
