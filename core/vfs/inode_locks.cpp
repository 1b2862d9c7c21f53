#include "core/vfs/inode_locks.h"

namespace autosync::vfs {

InodeLocks::Guard::Guard(InodeLocks& owner, uint64_t ino) : owner_(owner), ino_(ino) {
  {
    std::lock_guard lock(owner_.mu_);
    Slot& slot = owner_.slots_[ino];
    ++slot.users;
    mutex_ = slot.mutex;
  }
  mutex_->lock();
}

InodeLocks::Guard::~Guard() {
  mutex_->unlock();
  std::lock_guard lock(owner_.mu_);
  auto it = owner_.slots_.find(ino_);
  if (it != owner_.slots_.end() && --it->second.users == 0) owner_.slots_.erase(it);
}

}  // namespace autosync::vfs
