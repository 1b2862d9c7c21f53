#include "core/db/database.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "core/db/sqlite_error.h"

namespace autosync::db {
namespace {

int open_flags(const OpenOptions& options) {
  // NOMUTEX: multi-thread mode, one thread per connection (see the header).
  // EXRESCODE: extended result codes from the start, so open errors are specific too.
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (options.read_only) return flags | SQLITE_OPEN_READONLY;
  flags |= SQLITE_OPEN_READWRITE;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  return flags;
}

// SQLite's open falls back to read-only when it cannot create the file, so the errno it
// keeps is that retry's ENOENT even when the directory is the problem (not writable, on a
// read-only file system, missing). Ask the directory what is wrong instead.
Status explain_failed_create(const std::filesystem::path& file, Status sqlite_error) {
  std::error_code ignored;
  if (std::filesystem::exists(file, ignored)) return sqlite_error;
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) == 0) return sqlite_error;
  const int err = errno;
  std::array<char, 256> buf{};
  return Status::error(
      error_kind_for(SQLITE_CANTOPEN, err),
      fmt::format("cannot create {}: {}", file.string(), strerror_r(err, buf.data(), buf.size())));
}

int wait_for_lock(void* timeout_us, int tries) {
  const auto sleep = detail::busy_sleep(tries, *static_cast<const int64_t*>(timeout_us));
  if (!sleep) return 0;  // give up: the caller gets SQLITE_BUSY
  std::this_thread::sleep_for(*sleep);
  return 1;
}

}  // namespace

// 50 us, 100 us, ... up to 2 ms between tries, until the sleeps add up to the timeout.
// SQLite's own handler (sqlite3_busy_timeout) sleeps 1 ms at the first try, then longer,
// where the lock another connection holds is typically gone after tens of microseconds (a
// small commit): at a millisecond a time, that was most of what a small file cost while
// autosyncd committed beside the mount.
std::optional<std::chrono::microseconds> detail::busy_sleep(int tries, int64_t timeout_us) {
  constexpr int64_t kFirstUs = 50, kMaxUs = 2000;
  int64_t slept_us = 0, next_us = kFirstUs;
  for (int i = 0; i < tries && slept_us < timeout_us; ++i) {  // the sleeps before this try
    slept_us += next_us;
    next_us = std::min(next_us * 2, kMaxUs);
  }
  if (slept_us >= timeout_us) return std::nullopt;
  return std::chrono::microseconds(next_us);
}

Result<Database> Database::open(const std::filesystem::path& file, const OpenOptions& options) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, open_flags(options), nullptr);
  Handle db(raw);  // sqlite3_open_v2 may hand back a handle even when it fails
  if (rc != SQLITE_OK) {
    Status error = sqlite_status(raw, rc, "open", file.string());
    const bool creating = options.create && !options.read_only;
    if (creating && (rc & 0xff) == SQLITE_CANTOPEN) {
      return explain_failed_create(file, std::move(error));
    }
    return error;
  }
  Database database(std::move(db), file, options);
  AUTOSYNC_RETURN_IF_ERROR(database.configure());
  return database;
}

Database::Database(Handle db, std::filesystem::path path, const OpenOptions& options)
    : db_(std::move(db)),
      cache_(std::make_unique<StatementCache>()),
      path_(std::move(path)),
      options_(options) {}

Status Database::configure() {
  sqlite3_extended_result_codes(db_.get(), 1);
  // Before anything touches the file, so even the first read waits out another writer.
  busy_timeout_us_ = std::make_unique<int64_t>(std::max<int64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(options_.busy_timeout).count(), 0));
  sqlite3_busy_handler(db_.get(), wait_for_lock, busy_timeout_us_.get());
  AUTOSYNC_RETURN_IF_ERROR(enable_wal());
  const char* synchronous = options_.synchronous == Synchronous::kFull
                                ? "PRAGMA synchronous=FULL"
                                : "PRAGMA synchronous=NORMAL";
  AUTOSYNC_RETURN_IF_ERROR(exec(synchronous));
  return exec("PRAGMA foreign_keys=ON");
}

// The first statement that reads the file, so a file that is not a database fails here,
// in open(), with its own message.
Status Database::enable_wal() {
  // A read-only connection cannot change the journal mode; it can only check it.
  const char* sql = options_.read_only ? "PRAGMA journal_mode" : "PRAGMA journal_mode=WAL";
  AUTOSYNC_ASSIGN_OR_RETURN(Statement stmt, prepare(sql));
  AUTOSYNC_ASSIGN_OR_RETURN(const bool row, stmt.step());
  const std::string mode = row ? std::string(stmt.text(0)) : std::string();
  if (mode != "wal") {
    return Status::error(
        ErrorKind::kUnsupported,
        path_.string() + ": cannot use WAL journal mode (journal_mode is \"" + mode + "\")");
  }
  return Status::ok();
}

Status Database::exec(std::string_view sql) {
  const int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db_.get(), rc, "exec " + sql_snippet(sql));
  return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  return Statement::prepare(db_.get(), sql);
}

Result<CachedStatement> Database::prepare_cached(std::string_view sql) {
  return cache_->checkout(db_.get(), sql);
}

int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int64_t Database::changes() const {
  return sqlite3_changes64(db_.get());
}

bool Database::in_transaction() const {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

}  // namespace autosync::db
