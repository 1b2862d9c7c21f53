// Schema migrations for a Database, tracked in PRAGMA user_version.
//
// The code lists every schema change it knows, oldest first:
//   constexpr Migration kSteps[] = {{1, "CREATE TABLE inodes (...);"},
//                                   {2, "ALTER TABLE inodes ADD COLUMN mtime_ns INTEGER;"}};
//   AUTOSYNC_RETURN_IF_ERROR(migrate(db, kSteps));
// and migrate() applies those above the file's user_version, each in its own IMMEDIATE
// transaction together with the new user_version, so a crash leaves the file at a whole
// version. Each step re-reads the version inside its transaction, so two processes that
// start at once do not apply a step twice. Running it again is a no-op.
//
// A file whose version is newer than the last step is refused with kUnsupported: it was
// written by a newer AutoSync, and an older one must not touch it. (It is deliberately not
// kCorrupt: a caller that rebuilds corrupt caches would destroy the newer version's pending
// uploads.)
//
// A step runs inside a transaction, where PRAGMA foreign_keys cannot be switched off: a step
// that rebuilds a table must keep references valid throughout (or use
// PRAGMA defer_foreign_keys=ON, which holds the check until its commit).
//
// Threading: uses only the Database it is given, on the caller's thread.
#pragma once

#include <span>
#include <string_view>

#include "core/base/result.h"
#include "core/base/status.h"
#include "core/db/database.h"

namespace autosync::db {

struct Migration {
  int version;           // the user_version after this step; steps count up from 1
  std::string_view sql;  // one or more statements, run with Database::exec
};

Status migrate(Database& db, std::span<const Migration> steps);

// The file's PRAGMA user_version (0 for a new file).
Result<int> schema_version(Database& db);

}  // namespace autosync::db
