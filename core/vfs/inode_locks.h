// InodeLocks: one mutex per inode, made on demand, so two readers of one file do not fetch
// the same gap twice while reads of different files run in parallel. Entries are dropped
// when the last holder lets go. try_lock() never waits: the evictor, which may already hold
// the lock of the file it makes room for, uses it on other files so two evictions cannot
// deadlock. Threading: safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace autosync::vfs {

class InodeLocks {
 public:
  class Guard {
   public:
    Guard(InodeLocks& owner, uint64_t ino);
    Guard(InodeLocks& owner, uint64_t ino, std::try_to_lock_t);  // owns_lock() tells
    ~Guard();
    Guard(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;

    bool owns_lock() const { return owns_; }

   private:
    void join();   // registers as a user of the inode's slot
    void leave();  // and stops being one

    InodeLocks* owner_;  // null once moved from
    uint64_t ino_;
    std::shared_ptr<std::mutex> mutex_;
    bool owns_ = false;
  };

  Guard lock(uint64_t ino) { return Guard(*this, ino); }
  // The inode's lock if nobody holds it, else nothing.
  std::optional<Guard> try_lock(uint64_t ino);

 private:
  struct Slot {
    std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
    int users = 0;
  };
  std::mutex mu_;  // guards slots_ only; never held while waiting on an inode's mutex
  std::unordered_map<uint64_t, Slot> slots_;
};

}  // namespace autosync::vfs
