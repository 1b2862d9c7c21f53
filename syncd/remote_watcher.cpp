// RemoteWatcher: the polling loop — when to scan, back-off, outages (remote_watcher.h).
#include "syncd/remote_watcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace autosync::syncd {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

RemoteWatcher::RemoteWatcher(index::Index& index, content::ContentStore& content,
                             backends::ObjectStore& store, events::EventSink& events,
                             RemoteWatcherOptions options)
    : index_(index),
      content_(content),
      store_(store),
      events_(events),
      options_(std::move(options)) {}

RemoteWatcher::~RemoteWatcher() {
  stop();
}

void RemoteWatcher::start() {
  if (options_.poll_interval.count() <= 0 || thread_.joinable()) return;
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void RemoteWatcher::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wakeup_.notify_all();
  thread_.join();
}

milliseconds RemoteWatcher::next_interval(const RemoteWatcherOptions& options,
                                          milliseconds previous, bool quiet) {
  if (!quiet) return options.poll_interval;
  const milliseconds ceiling = std::max(options.poll_max_interval, options.poll_interval);
  return std::min(ceiling, std::max(previous, options.poll_interval) * 2);
}

void RemoteWatcher::run(const std::stop_token& stop) {
  milliseconds interval = options_.poll_interval;
  auto last_full = Clock::now();
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      // Ends early when stop is requested (the stop token wakes it).
      (void)wakeup_.wait_for(lock, stop, interval, [] { return false; });
    }
    if (stop.stop_requested()) return;
    const bool full = options_.full_scan_interval.count() > 0 &&
                      Clock::now() - last_full >= options_.full_scan_interval;
    auto outcome = scan(full ? ScanScope::kFull : ScanScope::kListed);
    if (outcome.is_ok() && full) last_full = Clock::now();
    note_outcome(outcome);
    // A failed poll backs off like a quiet one: an unreachable store is asked less and less.
    interval = next_interval(options_, interval, !outcome.is_ok() || !outcome->found_changes());
  }
}

// One kError per outage, one line in the log when it ends.
void RemoteWatcher::note_outcome(const Result<ScanReport>& outcome) {
  if (!outcome.is_ok()) {
    if (!in_outage_) {
      spdlog::warn("remote watcher: {} (retrying with back-off)", outcome.status().to_string());
      publish(events::EventKind::kError, 0, 0, "", "",
              "remote scan: " + outcome.status().to_string());
    }
    in_outage_ = true;
    return;
  }
  if (in_outage_) spdlog::info("remote watcher: the store answers again");
  in_outage_ = false;
  const auto& r = *outcome;
  if (r.found_changes()) {
    spdlog::info("remote watcher: {} directories, {} added, {} changed, {} removed, {} deferred",
                 r.dirs, r.added, r.changed, r.removed, r.deferred);
  }
}

void RemoteWatcher::publish(events::EventKind kind, index::Ino ino, index::Ino parent,
                            std::string name, std::string path, std::string detail) {
  events::Event event;
  event.kind = kind;
  event.ino = ino;
  event.parent = parent;
  event.name = std::move(name);
  event.path = std::move(path);
  event.detail = std::move(detail);
  events_.publish(event);
}

}  // namespace autosync::syncd
