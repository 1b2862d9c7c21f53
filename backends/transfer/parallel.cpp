#include "backends/transfer/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace autosync::backends {
namespace {

// Shared by the workers of one run: the next task to hand out and the first failure.
class TaskQueue {
 public:
  TaskQueue(size_t count, const std::function<Status(size_t)>& task) : count_(count), task_(task) {}

  // Takes tasks until none are left or one has failed.
  void drain() {
    for (;;) {
      if (failed_.load(std::memory_order_acquire)) return;
      const size_t index = next_.fetch_add(1, std::memory_order_relaxed);
      if (index >= count_) return;
      Status status = task_(index);
      if (!status.is_ok()) record(index, std::move(status));
    }
  }

  std::optional<TaskFailure> first_failure() {
    const std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  void record(size_t index, Status status) {
    const std::lock_guard lock(mutex_);
    if (!failure_) failure_ = TaskFailure{index, std::move(status)};
    failed_.store(true, std::memory_order_release);
  }

  const size_t count_;
  const std::function<Status(size_t)>& task_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::optional<TaskFailure> failure_;  // guarded by mutex_
};

}  // namespace

std::optional<TaskFailure> run_parallel(size_t count, unsigned workers,
                                        const std::function<Status(size_t)>& task) {
  TaskQueue queue(count, task);
  const size_t threads_wanted = std::min<size_t>(std::max(1U, workers), count);
  if (threads_wanted <= 1) {
    queue.drain();
    return queue.first_failure();
  }
  {
    std::vector<std::jthread> threads;
    threads.reserve(threads_wanted);
    for (size_t i = 0; i < threads_wanted; ++i) {
      try {
        threads.emplace_back([&queue] { queue.drain(); });
      } catch (const std::system_error&) {
        break;  // out of threads: the ones we have (or this thread) carry on
      }
    }
    if (threads.empty()) queue.drain();
  }  // the jthreads join here
  return queue.first_failure();
}

}  // namespace autosync::backends
