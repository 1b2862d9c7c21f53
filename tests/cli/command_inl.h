// Template definitions for command.h.
#pragma once

#include <thread>

namespace autosync::testing {

template <typename Pred>
bool eventually(Pred done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace autosync::testing
