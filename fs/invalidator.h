// Invalidator: autosyncfs's listener for autosyncd's events. A thread subscribes to
// CACHE/events.sock and turns kInvalidateInode / kInvalidateEntry into the kernel's cache
// invalidations (fuse_lowlevel_notify_inval_inode / _entry, through KernelCaches), so a file
// the daemon saw change on the store is read afresh and a name it saw come or go is looked
// up again, without waiting for the attribute and entry timeouts.
//
// Events are hints (core/events/event.h): a lost one only means the kernel's caches expire
// by their timeouts, and open() decides keep_cache by comparing versions. The subscriber
// reconnects by itself when the daemon restarts.
//
// Threading: one thread of its own, started by the constructor and joined by the destructor,
// which wakes it through an inproc socket (so an unmount is not held up). KernelCaches is
// called on that thread.
// Ownership: borrows the zmq context and the KernelCaches; both must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <thread>
#include <zmq.hpp>

#include "core/base/result.h"
#include "core/events/event.h"
#include "core/events/event_socket.h"

namespace autosync::fs {

// What the Invalidator asks of the mount (MountSession implements it over libfuse).
class KernelCaches {
 public:
  virtual ~KernelCaches() = default;
  // The kernel drops the attributes and cached pages of `ino`.
  virtual void invalidate_inode(uint64_t ino) = 0;
  // The kernel drops its cached lookup of `name` in `parent` (also a negative one).
  virtual void invalidate_entry(uint64_t parent, std::string_view name) = 0;
};

class Invalidator {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{1000};  // how often it looks at stop

  // Subscribes to `socket_path` and starts the thread. kInvalid for a socket path too long.
  static Result<std::unique_ptr<Invalidator>> start(zmq::context_t& context,
                                                    const std::filesystem::path& socket_path,
                                                    KernelCaches& kernel);
  ~Invalidator();  // stops and joins the thread
  Invalidator(const Invalidator&) = delete;
  Invalidator& operator=(const Invalidator&) = delete;

  // Events applied so far (tests).
  uint64_t applied() const { return applied_.load(); }

  class Key {
    friend class Invalidator;
    Key() = default;
  };
  Invalidator(Key key, std::unique_ptr<events::EventSubscriber> subscriber, zmq::socket_t wake_rx,
              zmq::socket_t wake_tx, KernelCaches& kernel);

 private:
  void run(const std::stop_token& stop);
  void apply(const events::Event& event);

  std::unique_ptr<events::EventSubscriber> subscriber_;  // used by thread_ only
  zmq::socket_t wake_rx_;                                // thread_ only: a message means "stop now"
  zmq::socket_t wake_tx_;                                // the destructor's end of that pair
  KernelCaches& kernel_;
  std::atomic<uint64_t> applied_{0};
  std::jthread thread_;  // last: started after everything it uses exists
};

}  // namespace autosync::fs
