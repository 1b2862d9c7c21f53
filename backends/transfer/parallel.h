// run_parallel: runs numbered tasks on a few threads and stops at the first failure.
//
// Used by upload and download to move parts concurrently. Threads are std::jthreads owned by
// the call and joined before it returns; nothing outlives it. Tasks already running when one
// fails are allowed to finish (a request in flight cannot be recalled); no new task starts.
// Thread-safety: `task` is called from several threads at once and must be safe for that.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "core/base/status.h"

namespace autosync::backends {

struct TaskFailure {
  size_t index = 0;  // the task that failed first (in time)
  Status status;
};

// Runs task(0) .. task(count - 1) on up to `workers` threads (the caller's own thread when
// one is enough). Returns the first failure, or nothing when every task succeeded.
std::optional<TaskFailure> run_parallel(size_t count, unsigned workers,
                                        const std::function<Status(size_t)>& task);

}  // namespace autosync::backends
