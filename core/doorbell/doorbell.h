// The ZeroMQ doorbell between autosyncfs (rings) and autosyncd (listens): one ipc socket in
// the cache directory, CACHE/syncd.sock. A ring carries no data; the listener turns any
// number of rings into one wake-up, and the workers then read the journal (the truth).
//
// Ownership: the zmq::context_t is one per process, owned by the caller and passed in; it
// must outlive every listener and client made from it. Each class owns its socket (closed
// with linger 0, so destruction never blocks).
// Threading: a DoorbellListener is used by one thread at a time (zguide: one socket per
// thread; it may be handed to another thread across a thread start). A DoorbellClient may be
// rung from many threads: a mutex serialises them on its one socket, and ring() never blocks
// on the network (ZMQ_DONTWAIT, a small send high-water mark).
// Errors: ZeroMQ's exceptions stop here; bind reports a Status, ring() drops.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "core/base/result.h"
#include "core/vfs/change_notifier.h"

namespace autosync::doorbell {

// CACHE/syncd.sock: where the doorbell lives for the cache directory `cache_dir`.
std::filesystem::path doorbell_path(const std::filesystem::path& cache_dir);

class DoorbellListener {
 public:
  // Binds a PULL socket at ipc://`socket_path`, replacing a stale socket file left by a
  // crashed daemon. kInvalid for a path too long for a Unix socket, else kIo.
  static Result<std::unique_ptr<DoorbellListener>> bind(zmq::context_t& context,
                                                        const std::filesystem::path& socket_path);
  ~DoorbellListener();
  DoorbellListener(const DoorbellListener&) = delete;
  DoorbellListener& operator=(const DoorbellListener&) = delete;

  // Waits up to `timeout` for a ring. True when rung (every queued ring is consumed, so a
  // burst of rings is one wake-up); false when the time ran out.
  bool wait(std::chrono::milliseconds timeout);

  // For bind() only (a passkey: make_unique needs a public constructor).
  class Key {
    friend class DoorbellListener;
    Key() = default;
  };
  DoorbellListener(Key key, zmq::socket_t socket, std::filesystem::path path);

 private:
  void drain();

  zmq::socket_t socket_;
  std::filesystem::path path_;  // the socket file, removed on destruction
};

// The Vfs's ChangeNotifier over ZeroMQ: autosyncfs rings it after committing journal rows.
class DoorbellClient final : public vfs::ChangeNotifier {
 public:
  // Connects lazily, on the first ring(), so a client can be made before the daemon runs.
  DoorbellClient(zmq::context_t& context, const std::filesystem::path& socket_path);
  ~DoorbellClient() override;
  DoorbellClient(const DoorbellClient&) = delete;
  DoorbellClient& operator=(const DoorbellClient&) = delete;

  // Sends one ring without blocking; dropped when the queue is full or ZeroMQ fails.
  void ring();
  void journal_ready() override { ring(); }

 private:
  zmq::socket_t& socket();  // caller holds mu_; connects on first use

  zmq::context_t& context_;
  const std::string endpoint_;
  std::mutex mu_;                        // guards socket_ (rings may come from any thread)
  std::optional<zmq::socket_t> socket_;  // guarded by mu_; empty until the first ring
};

}  // namespace autosync::doorbell
