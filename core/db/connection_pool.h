// ConnectionPool: up to N connections to one database file, handed to threads one at a time.
//
// SQLite connections are single-threaded here (see database.h), so threads that share an
// index each take a connection for the length of a task and give it back:
//   AUTOSYNC_ASSIGN_OR_RETURN(auto conn, pool.acquire());
//   AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(*conn, Transaction::Mode::kImmediate));
// Connections open lazily on first demand (so an idle daemon holds one) and stay open, with
// their statement caches, until the pool goes away. When all N are out, acquire() waits for
// one to come back, up to PoolOptions::acquire_timeout, then fails kTransient: a thread that
// takes a second connection while holding one can otherwise deadlock the pool.
//
// Migrations are not the pool's business: run migrate() once on one connection before
// serving requests.
//
// Threading: acquire() may be called from any thread. Each PooledConnection is used by the
// thread that holds it. Ownership: the pool owns the connections; every PooledConnection
// (and everything made from it) must be gone before the pool is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "core/base/result.h"
#include "core/db/database.h"

namespace autosync::db {

struct PoolOptions {
  OpenOptions open;            // how each connection is opened
  size_t max_connections = 4;  // at least 1
  std::chrono::milliseconds acquire_timeout{30000};
};

class ConnectionPool;

// A connection on loan from a pool; goes back at scope exit. Move-only.
class PooledConnection {
 public:
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&&) = delete;
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  ~PooledConnection();

  Database& operator*() { return *db_; }
  Database* operator->() { return db_.get(); }

 private:
  friend class ConnectionPool;
  PooledConnection(ConnectionPool* pool, std::unique_ptr<Database> db)
      : pool_(pool), db_(std::move(db)) {}

  ConnectionPool* pool_;
  std::unique_ptr<Database> db_;
};

class ConnectionPool {
 public:
  ConnectionPool(std::filesystem::path file, PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A free connection, opening one if fewer than max_connections are open; waits when all
  // are in use. Fails with open()'s error, or kTransient after acquire_timeout.
  Result<PooledConnection> acquire();

  // Connections opened so far (in use or idle).
  size_t open_count() const;

 private:
  friend class PooledConnection;
  void release(std::unique_ptr<Database> db);
  Result<PooledConnection> open_new();

  const std::filesystem::path file_;
  const PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;             // signalled when a slot frees up
  std::vector<std::unique_ptr<Database>> idle_;  // guarded by mutex_
  size_t open_ = 0;                              // guarded by mutex_; includes in-use ones
};

}  // namespace autosync::db
