#include "core/db/transaction.h"

#include <utility>

namespace autosync::db {
namespace {

// BEGIN, COMMIT and ROLLBACK run on every write, so they come from the statement cache.
Status run_cached(Database& db, const char* sql) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare_cached(sql));
  return stmt->run();
}

bool needs_sync_switch(const Database& db, Transaction::Durability durability) {
  return durability == Transaction::Durability::kSynced && db.synchronous() != Synchronous::kFull;
}

}  // namespace

Result<Transaction> Transaction::begin(Database& db, Mode mode, Durability durability) {
  if (db.in_transaction()) {
    return internal(db.path().string() +
                    ": begin: a transaction is already open on this connection (nested "
                    "transactions are not supported; pass the open Transaction down instead)");
  }
  // The synchronous level is read when the commit happens; it cannot change inside a
  // transaction, so it is raised before BEGIN and put back after COMMIT or ROLLBACK.
  if (needs_sync_switch(db, durability)) {
    AUTOSYNC_RETURN_IF_ERROR(db.exec("PRAGMA synchronous=FULL"));
  }
  Transaction tx(&db, durability);
  const Status began =
      run_cached(db, mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  if (!began.is_ok()) {
    tx.db_ = nullptr;
    (void)tx.restore_synchronous_on(db);
    return began;
  }
  return tx;
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), durability_(other.durability_) {}

Transaction::~Transaction() {
  (void)rollback();
}

Status Transaction::commit() {
  if (db_ == nullptr)
    return internal("commit: the transaction was already committed or rolled back");
  if (!db_->in_transaction()) {
    // SQLite rolls back by itself after some errors (disk full, I/O error); committing now
    // would report success for changes that are gone.
    Database& db = *std::exchange(db_, nullptr);
    (void)restore_synchronous_on(db);
    return internal(db.path().string() +
                    ": commit: SQLite already rolled this transaction back after an earlier error");
  }
  return finish("COMMIT");
}

Status Transaction::rollback() {
  if (db_ == nullptr) return Status::ok();
  if (!db_->in_transaction()) {  // already rolled back by SQLite
    return restore_synchronous_on(*std::exchange(db_, nullptr));
  }
  return finish("ROLLBACK");
}

Status Transaction::finish(const char* sql) {
  Status ended = run_cached(*db_, sql);
  // A failed COMMIT (SQLITE_BUSY) leaves the transaction open: keep it, so the caller may
  // retry the commit or let the destructor roll back.
  if (!ended.is_ok() && db_->in_transaction()) return ended;
  const Status restored = restore_synchronous_on(*std::exchange(db_, nullptr));
  return ended.is_ok() ? restored : ended;
}

Status Transaction::restore_synchronous_on(Database& db) const {
  if (!needs_sync_switch(db, durability_)) return Status::ok();
  return db.exec("PRAGMA synchronous=NORMAL");
}

}  // namespace autosync::db
