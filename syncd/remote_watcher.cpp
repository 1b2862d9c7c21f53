// RemoteWatcher: the polling loop — when to scan, back-off, outages (remote_watcher.h).
#include "syncd/remote_watcher.h"

#include <fmt/format.h>
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
  if (thread_.joinable()) return;
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

uint64_t RemoteWatcher::request_scan(std::string under) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = ++last_request_;
    requests_.emplace_back(id, std::move(under));
    results_[id] = RequestedScan{};
  }
  wakeup_.notify_all();
  return id;
}

Result<RequestedScan> RemoteWatcher::scan_result(uint64_t id) {
  std::lock_guard lock(mu_);
  const auto it = results_.find(id);
  if (it == results_.end()) return not_found(fmt::format("no scan number {}", id));
  return it->second;
}

// Every request waiting, one scan each, in order.
void RemoteWatcher::serve_requests() {
  std::vector<std::pair<uint64_t, std::string>> requests;
  {
    std::lock_guard lock(mu_);
    requests.swap(requests_);
  }
  for (const auto& [id, under] : requests) {
    auto outcome = scan(ScanScope::kFull, under);
    note_outcome(outcome);
    RequestedScan done{.done = true, .status = {}, .report = {}};
    if (outcome.is_ok()) {
      done.report = *outcome;
    } else {
      done.status = outcome.status();
    }
    std::lock_guard lock(mu_);
    results_[id] = std::move(done);
    while (results_.size() > kKeptResults)
      results_.erase(results_.begin());
  }
}

void RemoteWatcher::run(const std::stop_token& stop) {
  milliseconds interval = options_.poll_interval;
  const bool polls = options_.poll_interval.count() > 0;
  auto last_full = Clock::now();
  while (!stop.stop_requested()) {
    bool asked = false;
    {
      std::unique_lock lock(mu_);
      // Ends early when stop is requested (the stop token wakes it) or a scan is asked for.
      const auto pending = [this] { return !requests_.empty(); };
      asked = polls ? wakeup_.wait_for(lock, stop, interval, pending)
                    : wakeup_.wait(lock, stop, pending);
    }
    if (stop.stop_requested()) return;
    if (asked) {
      serve_requests();
      continue;
    }
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
