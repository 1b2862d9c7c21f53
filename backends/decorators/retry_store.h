// Retry decorator: retries calls that failed with a retryable Status, with capped exponential
// backoff and full jitter.
//
// Only kThrottled and kTransient are retried; every other error passes through at once. When
// the attempts run out the last error is returned, its message ending "(after N attempts)".
// get() is safe to retry because sinks are positional: a retry rewrites from offset 0 (a sink
// may keep bytes past the end of a shorter answer; callers that care pin the read with
// If-Match or truncate afterwards, as transfer::download_file does). complete_multipart is
// not blindly repeated: if a retry finds the upload gone (kNotFound), the earlier attempt
// most likely succeeded and lost its answer, so the object is looked up with head.
// Known gaps: a retried create_multipart whose first answer was lost leaves one orphaned
// upload for the bucket's lifecycle rule; a retried put with If-None-Match "*" whose first
// attempt landed reports kPreconditionFailed.
// Thread-safety: safe from many threads (the jitter PRNG has its own mutex). Owns `inner`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "backends/object_store.h"

namespace autosync::backends {

struct RetryPolicy {
  int max_attempts = 5;  // 1 = no retry
  std::chrono::milliseconds initial_delay{100};
  std::chrono::milliseconds max_delay{10'000};
  double multiplier = 2.0;
  // "full jitter": sleep uniform in [0, min(max_delay, initial*multiplier^n)]
  // Seed of the jitter PRNG; 0 seeds it from the system's random source.
  uint64_t seed = 0;
  // How to wait between attempts; tests inject one that records instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep = [](std::chrono::milliseconds delay) {
    std::this_thread::sleep_for(delay);
  };
};

// The longest wait before retry number `retry` (0 = the wait after the first failure):
// min(max_delay, initial_delay * multiplier^retry).
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry);

// Retries calls that fail with a retryable Status (kThrottled, kTransient); everything else
// passes through at once. The last error is returned with context "after N attempts".
std::unique_ptr<ObjectStore> with_retry(std::unique_ptr<ObjectStore> inner, RetryPolicy policy);

}  // namespace autosync::backends
