#include "syncd/doorbell_pump.h"

namespace autosync::syncd {

DoorbellPump::DoorbellPump(std::unique_ptr<doorbell::DoorbellListener> listener,
                           std::function<void()> on_ring, std::chrono::milliseconds poll_interval)
    : listener_(std::move(listener)),
      on_ring_(std::move(on_ring)),
      poll_interval_(poll_interval),
      thread_([this](const std::stop_token& stop) {
        while (!stop.stop_requested()) {
          if (listener_->wait(poll_interval_)) on_ring_();
        }
      }) {}

}  // namespace autosync::syncd
