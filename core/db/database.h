// Database: one SQLite connection to the cache index, opened the way AutoSync needs it.
//
// open() sets up every connection identically: WAL journal (readers never block the
// writer, and two processes can share the file), foreign_keys=ON, a busy handler (a
// connection that finds the file locked sleeps and tries again, up to the busy timeout,
// instead of failing at once; detail::busy_sleep), and the
// synchronous level from OpenOptions.
//
// Durability. With WAL and synchronous=NORMAL (the default) a commit survives the process
// crashing but not the machine losing power: the WAL is fsync()ed at checkpoints, not at
// every commit. That is right for most of the index (it can be rebuilt from the store), and
// a commit costs microseconds instead of an fsync. Where the user was promised durability
// (fsync(2) on a file, the upload journal), begin the Transaction with Durability::kSynced:
// that one commit fsyncs the WAL, which makes it and every earlier commit by any connection
// durable. OpenOptions::synchronous = kFull makes every commit pay that cost instead.
// tests/unit/db/sync_cost_main.cpp measures it; on the development VM's ext4, a small commit
// took 50-80 us with NORMAL and 3-4 ms with FULL or kSynced (one fsync), and 0.4 ms on
// average when one commit in ten was kSynced.
//
// Threading: SQLite runs in multi-thread mode (SQLITE_OPEN_NOMUTEX): a Database and its
// statements are used by one thread at a time, with no locking of their own. Use one
// connection per thread; ConnectionPool hands them out. Many connections, in this process
// and others, may use the same file at once. Never carry a connection across fork(): the
// child must open its own (and must not close the parent's).
//
// Ownership: move-only; owns the sqlite3 handle and its statement cache, and closes the
// handle on destruction. Statements, CachedStatements and Transactions made from a Database
// must be destroyed before it.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/base/status.h"
#include "core/db/statement.h"
#include "core/db/statement_cache.h"

namespace autosync::db {

// PRAGMA synchronous for the connection's commits (in WAL mode).
enum class Synchronous {
  kNormal,  // fsync at checkpoints: survives a crash of the process, not of the machine
  kFull,    // fsync the WAL at every commit: survives power loss
};

struct OpenOptions {
  // Create the file when it does not exist (otherwise opening it is kNotFound).
  bool create = true;
  // Open for reading only: writes fail with kReadOnly. The file must already exist, be
  // in WAL mode, and its directory must let SQLite open the -shm and -wal files.
  bool read_only = false;
  // How long a statement waits for another connection's lock before failing kTransient.
  std::chrono::milliseconds busy_timeout{5000};
  Synchronous synchronous = Synchronous::kNormal;
};

namespace detail {
// The busy handler's schedule: how long to sleep before try `tries` + 1 (tries: how many
// came before), or nullopt when the sleeps so far reach `timeout_us` (give up).
std::optional<std::chrono::microseconds> busy_sleep(int tries, int64_t timeout_us);
}  // namespace detail

class Database {
 public:
  static Result<Database> open(const std::filesystem::path& file, const OpenOptions& options);

  Database(Database&& other) noexcept = default;
  Database& operator=(Database&& other) noexcept = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() = default;

  // Runs one or more SQL statements that return no rows (DDL, PRAGMA settings, scripts).
  Status exec(std::string_view sql);
  // Prepares one statement, owned by the caller.
  Result<Statement> prepare(std::string_view sql);
  // A statement from this connection's cache (prepared on first use); it resets itself and
  // returns to the cache at scope exit. For SQL that is a constant in the code.
  Result<CachedStatement> prepare_cached(std::string_view sql);

  // The rowid of the last successful INSERT on this connection.
  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t changes() const;
  // True while a transaction is open on this connection.
  bool in_transaction() const;

  const std::filesystem::path& path() const { return path_; }
  Synchronous synchronous() const { return options_.synchronous; }
  const OpenOptions& options() const { return options_; }
  // Statements waiting in the cache (for tests and diagnostics).
  size_t cached_statement_count() const { return cache_->idle_count(); }
  // The raw handle, for SQLite calls this class does not wrap. Do not close it.
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  using Handle = std::unique_ptr<sqlite3, Closer>;

  Database(Handle db, std::filesystem::path path, const OpenOptions& options);
  Status configure();
  Status enable_wal();

  // Declared first so it is destroyed last: the cache's statements are finalized before the
  // connection closes.
  Handle db_;
  // On the heap so CachedStatements keep a valid pointer when the Database is moved.
  std::unique_ptr<StatementCache> cache_;
  std::filesystem::path path_;
  OpenOptions options_;
  // The busy handler's argument: on the heap, so it stays put when the Database moves.
  std::unique_ptr<int64_t> busy_timeout_us_;
};

}  // namespace autosync::db
