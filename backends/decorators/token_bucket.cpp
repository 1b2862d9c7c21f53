#include "backends/decorators/token_bucket.h"

#include <algorithm>
#include <thread>

namespace autosync::backends {

TokenBucket::Timing TokenBucket::real_timing() {
  return {.now = [] { return std::chrono::steady_clock::now().time_since_epoch(); },
          .sleep = [](std::chrono::nanoseconds wait) { std::this_thread::sleep_for(wait); }};
}

TokenBucket::TokenBucket(uint64_t bytes_per_second, uint64_t burst_bytes, Timing timing)
    : rate_(std::max<uint64_t>(bytes_per_second, 1)),
      burst_(static_cast<double>(std::max<uint64_t>(burst_bytes, 1))),
      timing_(std::move(timing)),
      tokens_(burst_),
      last_(timing_.now()) {}

void TokenBucket::take(uint64_t bytes) {
  if (bytes == 0) return;
  double debt = 0;
  {
    const std::lock_guard lock(mu_);
    const std::chrono::nanoseconds now = timing_.now();
    const double elapsed_s = std::chrono::duration<double>(now - last_).count();
    if (elapsed_s > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed_s * static_cast<double>(rate_));
      last_ = now;
    }
    tokens_ -= static_cast<double>(bytes);
    debt = -tokens_;
  }
  if (debt <= 0) return;
  const double wait_s = debt / static_cast<double>(rate_);
  timing_.sleep(std::chrono::nanoseconds(static_cast<int64_t>(wait_s * 1e9)));
}

}  // namespace autosync::backends
