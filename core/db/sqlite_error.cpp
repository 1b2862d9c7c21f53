#include "core/db/sqlite_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace autosync::db {
namespace {

ErrorKind kind_for_errno(int err, ErrorKind otherwise) {
  switch (err) {
    case EACCES:
    case EPERM:
      return ErrorKind::kAccessDenied;
    case EROFS:
      return ErrorKind::kReadOnly;
    case ENOENT:
    case ENOTDIR:
      return ErrorKind::kNotFound;
    case ENOSPC:
    case EDQUOT:
      return ErrorKind::kNoSpace;
    default:
      return otherwise;
  }
}

ErrorKind kind_for_constraint(int rc) {
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return ErrorKind::kAlreadyExists;
  }
  return ErrorKind::kInvalid;
}

// What the operating system said, for the codes where SQLite's own text ("disk I/O error",
// "unable to open database file") does not tell the user what to fix.
std::string errno_suffix(int primary, int system_errno) {
  const bool os_level =
      primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_FULL;
  if (!os_level || system_errno == 0) return {};
  std::array<char, 256> buf{};
  return fmt::format(" ({})", strerror_r(system_errno, buf.data(), buf.size()));
}

std::string database_label(sqlite3* db) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  if (file == nullptr || *file == '\0') return "SQLite database";
  return file;
}

}  // namespace

ErrorKind error_kind_for(int rc, int system_errno) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return ErrorKind::kOk;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_SCHEMA:
    case SQLITE_PROTOCOL:
    case SQLITE_INTERRUPT:
      return ErrorKind::kTransient;
    case SQLITE_FULL:
      return ErrorKind::kNoSpace;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return ErrorKind::kCorrupt;
    case SQLITE_CANTOPEN:
      return kind_for_errno(system_errno, ErrorKind::kIo);
    case SQLITE_IOERR:
      return system_errno == ENOSPC || system_errno == EDQUOT ? ErrorKind::kNoSpace
                                                              : ErrorKind::kIo;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return ErrorKind::kAccessDenied;
    case SQLITE_READONLY:  // a read-only connection, file or file system
      return ErrorKind::kReadOnly;
    case SQLITE_TOOBIG:
      return ErrorKind::kTooBig;
    case SQLITE_CONSTRAINT:
      return kind_for_constraint(rc);
    case SQLITE_NOLFS:
      return ErrorKind::kUnsupported;
    case SQLITE_NOMEM:
    case SQLITE_MISUSE:
    case SQLITE_INTERNAL:
      return ErrorKind::kInternal;
    default:  // SQLITE_ERROR (bad SQL, no such table), RANGE, MISMATCH
      return ErrorKind::kInvalid;
  }
}

Status sqlite_status(sqlite3* db, int rc, std::string_view what, std::string_view file) {
  const int primary = rc & 0xff;
  const int system_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  const ErrorKind kind = error_kind_for(rc, system_errno);
  if (kind == ErrorKind::kOk) return Status::ok();
  const std::string label = file.empty() ? database_label(db) : std::string(file);
  if (primary == SQLITE_NOTADB) {
    return Status::error(kind, fmt::format("{} is not an SQLite database (corrupt cache?)", label));
  }
  // sqlite3_errmsg describes the most recent failure on this connection, which is this one;
  // without a connection only the generic text for the code is left.
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message =
      fmt::format("{}: {}: {}{}", label, what, detail, errno_suffix(primary, system_errno));
  if (primary == SQLITE_CORRUPT) message += " (corrupt cache?)";
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    message += " (another connection held the lock past the busy timeout)";
  }
  return Status::error(kind, std::move(message));
}

std::string sql_snippet(std::string_view sql) {
  constexpr size_t kMaxChars = 60;
  const size_t start = sql.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "(empty SQL)";
  sql.remove_prefix(start);
  const size_t line_end = sql.find('\n');
  const bool cut = line_end != std::string_view::npos || sql.size() > kMaxChars;
  sql = sql.substr(0, std::min({line_end, sql.size(), kMaxChars}));
  return cut ? std::string(sql) + "..." : std::string(sql);
}

}  // namespace autosync::db
