// ControlServer: autosyncd's control socket — a ZeroMQ REP socket at CACHE/control.sock,
// served by one thread of its own, answering control_protocol.h requests with the commands
// it was given (make_control_commands(): control_status.cpp, control_sync.cpp,
// control_cache.cpp, control_conflicts.cpp, control_scan.cpp,
// control_cache_limit.cpp, control_versions.cpp).
//
// Requests are answered one at a time, so every command is short: none waits for uploads
// (autosyncctl flush polls "flush", which only wakes the workers and counts). A failing
// command is an error reply; nothing a client sends can stop the thread.
//
// Threading: start/stop from the daemon's main thread; the socket is used only by the
// serving thread. The commands run on that thread and must be safe next to the workers
// (they use the index, which is, and WorkerPool::pause/resume/wake, which are).
// Ownership: the zmq context is borrowed and must outlive the server; the socket file is
// removed when the server is destroyed.
#pragma once

#include <filesystem>
#include <memory>
#include <thread>
#include <zmq.hpp>

#include "backends/object_store.h"
#include "core/base/result.h"
#include "core/cachedir/cache_dir.h"
#include "core/events/event.h"
#include "core/vfs/listing_reconcile.h"
#include "syncd/conflict_policy.h"
#include "syncd/control_protocol.h"
#include "syncd/worker_pool.h"

namespace autosync::syncd {

class RemoteWatcher;
class StoreProbe;

// What the commands work on; everything is borrowed from the daemon and outlives the server.
struct ControlContext {
  cachedir::Paths paths;
  index::Index& index;
  content::ContentStore& content;
  backends::ObjectStore& store;
  WorkerPool& pool;
  std::string remote;                // the remote as the user wrote it
  uint64_t cache_limit_bytes = 0;    // cache.size, or the limit cache set-limit chose
  bool cache_limit_given = false;    // cache.size set explicitly: a chosen limit is not kept
  RemoteWatcher* watcher = nullptr;  // scans on request; none in some tests
  // For restore (control_versions.cpp): who writes (sync.host), what the kernel must be told,
  // and the modes of objects without metadata (as the mount and the watcher use them).
  const ConflictOptions* conflicts = nullptr;
  events::EventSink* events = nullptr;
  vfs::ListingDefaults defaults;
  StoreProbe* probe = nullptr;  // status's online check; none: reported offline
};

// Every command autosyncd answers, bound to `context` (which must outlive the map).
ControlCommands make_control_commands(ControlContext& context);
void add_status_commands(ControlCommands& commands, ControlContext& context);
void add_sync_commands(ControlCommands& commands, ControlContext& context);
void add_cache_commands(ControlCommands& commands, ControlContext& context);
void add_conflict_commands(ControlCommands& commands, ControlContext& context);
void add_scan_commands(ControlCommands& commands, ControlContext& context);
void add_cache_limit_commands(ControlCommands& commands, ControlContext& context);

// Drops the cached bytes of one clean, closed, unpinned file, safely next to a running mount
// (control_cache.cpp says how); returns the bytes freed, 0 when the file is kept.
Result<uint64_t> evict_clean_file(ControlContext& context, index::Ino ino);
void add_versions_commands(ControlCommands& commands, ControlContext& context);

class ControlServer {
 public:
  // Binds ipc://`socket_path` (replacing a stale socket file) and starts serving.
  // kInvalid for a path too long for a Unix socket, else kIo.
  static Result<std::unique_ptr<ControlServer>> start(zmq::context_t& context,
                                                      const std::filesystem::path& socket_path,
                                                      ControlCommands commands);
  ~ControlServer();  // stops the thread, closes the socket, removes the socket file
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // For start() only (a passkey: make_unique needs a public constructor).
  class Key {
    friend class ControlServer;
    Key() = default;
  };
  ControlServer(Key key, zmq::socket_t socket, std::filesystem::path path,
                ControlCommands commands);

 private:
  void serve(const std::stop_token& stop);

  zmq::socket_t socket_;  // used only by thread_ once it runs
  std::filesystem::path path_;
  ControlCommands commands_;
  std::jthread thread_;  // last: joined before the members it uses go
};

}  // namespace autosync::syncd
