#include "core/db/migrate.h"

#include <fmt/format.h>

#include "core/db/transaction.h"

namespace autosync::db {
namespace {

// The steps must count up strictly, from 1: a mistake here is a bug in the code that
// defines the schema, caught before anything touches the file.
Status check_steps(std::span<const Migration> steps) {
  int previous = 0;
  for (const Migration& step : steps) {
    if (step.version <= previous) {
      return internal(
          fmt::format("migrate: schema step {} follows step {}; steps must count up "
                      "from 1",
                      step.version, previous));
    }
    previous = step.version;
  }
  return Status::ok();
}

Status refuse_newer(const Database& db, int found, int known) {
  return Status::error(ErrorKind::kUnsupported,
                       fmt::format("{} was written by a newer AutoSync (schema version {}; this "
                                   "version knows up to {}); upgrade AutoSync or use another cache "
                                   "directory",
                                   db.path().string(), found, known));
}

Status apply_step(Database& db, const Migration& step, int known) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, Transaction::Mode::kImmediate));
  // Read again under the write lock: another connection may have migrated meanwhile.
  AUTOSYNC_ASSIGN_OR_RETURN(const int current, schema_version(db));
  if (current > known) return refuse_newer(db, current, known);
  if (current >= step.version) return Status::ok();  // done by someone else; tx rolls back
  const std::string what =
      fmt::format("migrate {} to schema version {}", db.path().string(), step.version);
  Status applied = db.exec(step.sql);
  if (applied.is_ok()) applied = db.exec(fmt::format("PRAGMA user_version={}", step.version));
  if (applied.is_ok()) applied = tx.commit();
  return std::move(applied).context(what);
}

}  // namespace

Result<int> schema_version(Database& db) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare_cached("PRAGMA user_version"));
  AUTOSYNC_ASSIGN_OR_RETURN(const bool row, stmt->step());
  if (!row) return internal("PRAGMA user_version returned no row");
  return static_cast<int>(stmt->int64(0));
}

Status migrate(Database& db, std::span<const Migration> steps) {
  AUTOSYNC_RETURN_IF_ERROR(check_steps(steps));
  const int known = steps.empty() ? 0 : steps.back().version;
  AUTOSYNC_ASSIGN_OR_RETURN(const int current, schema_version(db));
  if (current > known) return refuse_newer(db, current, known);
  for (const Migration& step : steps) {
    if (step.version <= current) continue;
    AUTOSYNC_RETURN_IF_ERROR(apply_step(db, step, known));
  }
  return Status::ok();
}

}  // namespace autosync::db
