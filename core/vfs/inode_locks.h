// InodeLocks: one mutex per inode, made on demand, so two readers of one file do not fetch
// the same gap twice while reads of different files run in parallel. Entries are dropped
// when the last holder lets go. Threading: safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace autosync::vfs {

class InodeLocks {
 public:
  class Guard {
   public:
    Guard(InodeLocks& owner, uint64_t ino);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    InodeLocks& owner_;
    uint64_t ino_;
    std::shared_ptr<std::mutex> mutex_;
  };

  Guard lock(uint64_t ino) { return Guard(*this, ino); }

 private:
  struct Slot {
    std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
    int users = 0;
  };
  std::mutex mu_;  // guards slots_ only; never held while waiting on an inode's mutex
  std::unordered_map<uint64_t, Slot> slots_;
};

}  // namespace autosync::vfs
