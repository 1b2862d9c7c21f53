#include "core/db/writer_gate.h"

namespace autosync::db {

WriterGate::Turn WriterGate::take() {
  if (owner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) return Turn();
  mu_.lock();
  owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  return Turn(this);
}

WriterGate::Turn::~Turn() {
  if (gate_ == nullptr) return;
  gate_->owner_.store(std::thread::id(), std::memory_order_relaxed);
  gate_->mu_.unlock();
}

}  // namespace autosync::db
