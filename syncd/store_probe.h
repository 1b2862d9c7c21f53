// StoreProbe: whether the store answers, for autosyncctl status, without making the control
// socket wait for it. One thread of its own makes the probe (one LIST of at most one key)
// when asked; check() hands back the newest answer and waits only a moment for a fresh one,
// so a store that does not answer (connection timeouts, retries with back-off) costs a
// status call that moment, never the request's whole life.
//
// Threading: check() from any thread; the probe runs on the object's own thread, stopped
// by the destructor (after a probe in flight ends). Ownership: borrows the store, which must
// outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "backends/object_store.h"

namespace autosync::syncd {

struct ProbeResult {
  bool known = false;  // a probe has finished
  bool online = false;
  std::string error;       // why not online
  int64_t checked_ns = 0;  // when the answer came (ns since the epoch)
};

class StoreProbe {
 public:
  explicit StoreProbe(backends::ObjectStore& store);
  ~StoreProbe();
  StoreProbe(const StoreProbe&) = delete;
  StoreProbe& operator=(const StoreProbe&) = delete;

  // The newest answer. When it is older than `fresh` (or there is none), a new probe is
  // asked for and waited for up to `wait`; past that the answer is "offline: the store has
  // not answered" (a probe still in flight is not asked for again).
  ProbeResult check(std::chrono::milliseconds fresh, std::chrono::milliseconds wait);

 private:
  void run(const std::stop_token& stop);

  backends::ObjectStore& store_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  ProbeResult last_;       // GUARDED_BY(mu_)
  bool wanted_ = false;    // GUARDED_BY(mu_): a probe was asked for
  uint64_t finished_ = 0;  // GUARDED_BY(mu_): probes done
  std::jthread thread_;    // last: stopped before the rest goes
};

}  // namespace autosync::syncd
