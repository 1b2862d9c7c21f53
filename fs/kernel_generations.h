// KernelGenerations: the inode generation each entry reply last gave the kernel, per inode.
//
// With the write-back cache the kernel never takes a regular file's size from the file
// system again, so a file changed on the store needs a new kernel inode: the index bumps the
// inode's generation, and the kernel makes a new inode at its next lookup or revalidation
// (or when autosyncd's invalidation drops the entry). Until then it keeps using the old one,
// with the old size; an open on it would read the new bytes cut or zero-padded to the old
// size. FUSE open carries no generation, so the adapter remembers what it told the kernel:
// an open whose file has moved on is refused with ESTALE, and the kernel then walks the path
// again with revalidation (LOOKUP_REVAL), which finds the new generation.
//
// Only generations above 0 are kept (an inode never changed remotely is at 0), and an entry
// goes when the kernel forgets its last reference to the inode, so the map holds only files
// changed on the store that the kernel still knows. A lookup racing that forget can lose its
// entry; the open that follows then gets one needless ESTALE, and the kernel's revalidation
// puts the entry back. Every entry reply asks, so an empty map answers without the lock.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace autosync::fs {

class KernelGenerations {
 public:
  void replied(uint64_t ino, uint64_t generation) {
    if (generation == 0 && empty()) return;
    const std::lock_guard lock(mu_);
    if (generation == 0) {
      given_.erase(ino);
    } else {
      given_[ino] = generation;
    }
    size_.store(given_.size(), std::memory_order_release);
  }
  // The kernel holds no reference to `ino` any more.
  void forgotten(uint64_t ino) { replied(ino, 0); }
  uint64_t given(uint64_t ino) const {
    if (empty()) return 0;
    const std::lock_guard lock(mu_);
    const auto it = given_.find(ino);
    return it == given_.end() ? 0 : it->second;
  }
  size_t size() const { return size_.load(std::memory_order_acquire); }

 private:
  bool empty() const { return size() == 0; }

  mutable std::mutex mu_;
  std::unordered_map<uint64_t, uint64_t> given_;  // guarded by mu_
  std::atomic<size_t> size_{0};                   // given_.size(), readable without mu_
};

}  // namespace autosync::fs
