// Turning SQLite result codes into Status values, in one place.
//
// Every failing sqlite3_* call in core/db goes through sqlite_status(), so the mapping from
// SQLite's codes to ErrorKind (and the wording users see) is decided once:
//   SQLITE_BUSY/LOCKED (after the busy timeout)  -> kTransient
//   SQLITE_FULL, or an I/O error with ENOSPC     -> kNoSpace
//   SQLITE_NOTADB                                -> kCorrupt, "<path> is not an SQLite database"
//   SQLITE_CORRUPT                               -> kCorrupt
//   SQLITE_CANTOPEN                              -> from the errno (kAccessDenied, kNotFound,
//                                                   kReadOnly for EROFS, ...)
//   SQLITE_READONLY (a read-only connection/file) -> kReadOnly
//   SQLITE_PERM/AUTH                             -> kAccessDenied
//   SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY          -> kAlreadyExists, other constraints kInvalid
// Stateless free functions; safe from any thread that owns the connection it passes.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace autosync::db {

// The Status for a failed call that returned `rc` on connection `db` (which may be null when
// sqlite3_open_v2 could not even allocate one). `what` says what was being done
// ("step INSERT INTO names ..."); the message starts with the database's file name, or with
// `file` when given (a connection that failed to open does not know its file name).
Status sqlite_status(sqlite3* db, int rc, std::string_view what, std::string_view file = {});

// The ErrorKind for a result code (primary or extended) and the errno SQLite saw last.
ErrorKind error_kind_for(int rc, int system_errno);

// The first line of `sql`, cut to a readable length, to name a statement in a message.
std::string sql_snippet(std::string_view sql);

}  // namespace autosync::db
