// WriterGate: the threads of one process that write to one database take turns here, before
// BEGIN IMMEDIATE, instead of meeting at SQLite's write lock.
//
// SQLite lets one connection write at a time. A connection that finds the lock taken waits
// in its busy handler, which can only sleep and try again, so two threads of this process
// that write at once (the kernel sends a file's RELEASE while the next file's CREATE is
// served) lost a sleep each time. Here the second one wakes the moment the first is done.
// Other processes (autosyncd beside autosyncfs) still meet at SQLite's lock.
//
//   WriterGate::Turn turn = gate.take();   // then begin the write transaction; keep the turn
//                                          // until the transaction has ended
// A thread that takes a turn while it holds one (a write transaction begun inside another
// one's lifetime) is not made to wait for itself: its second turn is empty, and its second
// transaction meets SQLite's lock as before.
//
// Threading: take() from any thread; a Turn is released by the thread that took it.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

namespace autosync::db {

class WriterGate {
 public:
  class Turn {
   public:
    Turn() = default;
    Turn(Turn&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn();
    bool holds() const { return gate_ != nullptr; }

   private:
    friend class WriterGate;
    explicit Turn(WriterGate* gate) : gate_(gate) {}
    WriterGate* gate_ = nullptr;
  };

  Turn take();

 private:
  std::mutex mu_;
  std::atomic<std::thread::id> owner_{};  // the thread holding mu_, if any
};

}  // namespace autosync::db
