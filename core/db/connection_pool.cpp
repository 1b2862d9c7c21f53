#include "core/db/connection_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

namespace autosync::db {

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), db_(std::move(other.db_)) {}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr) pool_->release(std::move(db_));
}

namespace {

PoolOptions sanitized(PoolOptions options) {
  options.max_connections = std::max<size_t>(options.max_connections, 1);
  return options;
}

}  // namespace

ConnectionPool::ConnectionPool(std::filesystem::path file, PoolOptions options)
    : file_(std::move(file)), options_(sanitized(options)) {}

ConnectionPool::~ConnectionPool() {
  assert(idle_.size() == open_ && "a PooledConnection outlived its ConnectionPool");
}

Result<PooledConnection> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const bool available = returned_.wait_for(lock, options_.acquire_timeout, [this] {
    return !idle_.empty() || open_ < options_.max_connections;
  });
  if (!available) {
    return transient(fmt::format(
        "{}: all {} database connections stayed in use for {} ms (does a thread hold two?)",
        file_.string(), options_.max_connections, options_.acquire_timeout.count()));
  }
  if (!idle_.empty()) {
    std::unique_ptr<Database> db = std::move(idle_.back());
    idle_.pop_back();
    return PooledConnection(this, std::move(db));
  }
  ++open_;  // claims the slot, so the slow open below can run without the lock
  lock.unlock();
  return open_new();
}

Result<PooledConnection> ConnectionPool::open_new() {
  auto db = Database::open(file_, options_.open);
  if (!db.is_ok()) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    returned_.notify_one();  // the slot is free again for a waiter to try
    return std::move(db).take_status();
  }
  return PooledConnection(this, std::make_unique<Database>(std::move(db).value()));
}

void ConnectionPool::release(std::unique_ptr<Database> db) {
  // A connection must come back with no transaction open; one left open is a Transaction
  // that outlived its PooledConnection. Roll back so the next user starts clean.
  assert(!db->in_transaction() && "a Transaction outlived its PooledConnection");
  if (db->in_transaction()) (void)db->exec("ROLLBACK");
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  returned_.notify_one();
}

size_t ConnectionPool::open_count() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace autosync::db
