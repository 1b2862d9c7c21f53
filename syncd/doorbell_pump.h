// DoorbellPump: a thread that listens on a DoorbellListener and calls `on_ring` (usually
// WorkerPool::wake) once per burst of rings. It owns the listener, so the socket is used by
// this one thread only (zguide), and checks for stop every `poll_interval`.
// Threading: construct and destroy on the controlling thread; on_ring runs on the pump's
// std::jthread and must be thread-safe. Destruction stops and joins.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "core/doorbell/doorbell.h"

namespace autosync::syncd {

class DoorbellPump {
 public:
  DoorbellPump(std::unique_ptr<doorbell::DoorbellListener> listener, std::function<void()> on_ring,
               std::chrono::milliseconds poll_interval = std::chrono::milliseconds(100));
  ~DoorbellPump() = default;  // the jthread member stops and joins first
  DoorbellPump(const DoorbellPump&) = delete;
  DoorbellPump& operator=(const DoorbellPump&) = delete;

 private:
  std::unique_ptr<doorbell::DoorbellListener> listener_;  // used only by thread_ once it runs
  std::function<void()> on_ring_;
  std::chrono::milliseconds poll_interval_;
  std::jthread thread_;  // last: started after, and joined before, the members it uses
};

}  // namespace autosync::syncd
