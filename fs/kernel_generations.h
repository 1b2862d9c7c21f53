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
// Only generations above 0 are kept (an inode never changed remotely is at 0), so the map
// holds only files changed on the store while this mount runs. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace autosync::fs {

class KernelGenerations {
 public:
  void replied(uint64_t ino, uint64_t generation) {
    const std::lock_guard lock(mu_);
    if (generation == 0) {
      given_.erase(ino);
    } else {
      given_[ino] = generation;
    }
  }
  uint64_t given(uint64_t ino) const {
    const std::lock_guard lock(mu_);
    const auto it = given_.find(ino);
    return it == given_.end() ? 0 : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, uint64_t> given_;  // guarded by mu_
};

}  // namespace autosync::fs
