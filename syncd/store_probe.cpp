#include "syncd/store_probe.h"

#include <fmt/format.h>

namespace autosync::syncd {
namespace {

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StoreProbe::StoreProbe(backends::ObjectStore& store)
    : store_(store), thread_([this](const std::stop_token& stop) { run(stop); }) {}

StoreProbe::~StoreProbe() {
  thread_.request_stop();
  cv_.notify_all();
}

ProbeResult StoreProbe::check(std::chrono::milliseconds fresh, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  const int64_t age_ns = wall_ns() - last_.checked_ns;
  if (last_.known && age_ns < std::chrono::nanoseconds(fresh).count()) return last_;
  wanted_ = true;
  // A probe already running may answer (it started before the ask: fresh enough here).
  const uint64_t target = finished_ + 1;
  cv_.notify_all();
  if (cv_.wait_for(lock, wait, [&] { return finished_ >= target; })) return last_;
  // Still asking: a store that takes this long is as good as offline for now.
  return ProbeResult{.known = true,
                     .online = false,
                     .error = fmt::format("the store has not answered for {} ms", wait.count()),
                     .checked_ns = last_.checked_ns};
}

void StoreProbe::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait(lock, stop, [this] { return wanted_; })) return;
      wanted_ = false;
    }
    backends::ListOptions one;
    one.delimiter.push_back('/');  // (= "/" trips a GCC 12 -Wrestrict false positive)
    one.max_keys = 1;
    auto page = store_.list(one);
    std::lock_guard lock(mu_);
    last_ = ProbeResult{.known = true,
                        .online = page.is_ok(),
                        .error = page.is_ok() ? std::string() : page.status().to_string(),
                        .checked_ns = wall_ns()};
    ++finished_;
    cv_.notify_all();
  }
}

}  // namespace autosync::syncd
