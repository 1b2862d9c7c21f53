// TokenBucket: a byte-rate limit shared by every thread that moves bytes through it.
//
// Tokens are bytes; they refill at `bytes_per_second` up to `burst_bytes` while nobody takes
// them. take(n) always succeeds at once in the books (the bucket may go into debt) and then
// sleeps for as long as the debt lasts, so concurrent takers queue behind each other in the
// order they came and the long-run rate over all of them is the limit, whatever the chunk
// sizes. The clock and the sleep are injected (Timing), so tests run on virtual time.
//
// Thread-safety: take() from any thread; one mutex guards the tokens, never held while
// sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace autosync::backends {

class TokenBucket {
 public:
  struct Timing {
    std::function<std::chrono::nanoseconds()> now;        // monotonic
    std::function<void(std::chrono::nanoseconds)> sleep;  // waits that long
  };
  // steady_clock and std::this_thread::sleep_for.
  static Timing real_timing();

  // bytes_per_second > 0; burst_bytes > 0 (the bucket starts full).
  TokenBucket(uint64_t bytes_per_second, uint64_t burst_bytes, Timing timing);

  // Takes `bytes` tokens, then sleeps until the bucket is out of the debt that left.
  void take(uint64_t bytes);

  uint64_t bytes_per_second() const { return rate_; }

 private:
  const uint64_t rate_;
  const double burst_;
  const Timing timing_;
  std::mutex mu_;
  double tokens_;                  // guarded by mu_; negative: a debt later takers wait out
  std::chrono::nanoseconds last_;  // guarded by mu_: when tokens_ was last refilled
};

}  // namespace autosync::backends
