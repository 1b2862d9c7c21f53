#include "core/vfs/inode_locks.h"

#include <utility>

namespace autosync::vfs {

void InodeLocks::Guard::join() {
  std::lock_guard lock(owner_->mu_);
  Slot& slot = owner_->slots_[ino_];
  ++slot.users;
  mutex_ = slot.mutex;
}

void InodeLocks::Guard::leave() {
  std::lock_guard lock(owner_->mu_);
  auto it = owner_->slots_.find(ino_);
  if (it != owner_->slots_.end() && --it->second.users == 0) owner_->slots_.erase(it);
}

InodeLocks::Guard::Guard(InodeLocks& owner, uint64_t ino) : owner_(&owner), ino_(ino) {
  join();
  mutex_->lock();
  owns_ = true;
}

InodeLocks::Guard::Guard(InodeLocks& owner, uint64_t ino, std::try_to_lock_t)
    : owner_(&owner), ino_(ino) {
  join();
  owns_ = mutex_->try_lock();
}

InodeLocks::Guard::Guard(Guard&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      ino_(other.ino_),
      mutex_(std::move(other.mutex_)),
      owns_(std::exchange(other.owns_, false)) {}

InodeLocks::Guard::~Guard() {
  if (owner_ == nullptr) return;
  if (owns_) mutex_->unlock();
  leave();
}

std::optional<InodeLocks::Guard> InodeLocks::try_lock(uint64_t ino) {
  Guard guard(*this, ino, std::try_to_lock);
  if (!guard.owns_lock()) return std::nullopt;
  return std::optional<Guard>(std::move(guard));
}

}  // namespace autosync::vfs
