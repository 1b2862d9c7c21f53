// Transaction: BEGIN on creation, ROLLBACK on scope exit unless commit() succeeded.
//
//   AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, Mode::kImmediate));
//   AUTOSYNC_RETURN_IF_ERROR(insert.bind(1, inode).run());  // an early return rolls back
//   return tx.commit();
//
// Modes. A transaction that will write must be kImmediate: it takes the write lock at BEGIN,
// where the busy timeout applies. A kDeferred transaction that reads first and writes later
// can fail with SQLITE_BUSY (kTransient) at the write, without waiting, whenever another
// connection committed in between; that is how SQLite avoids deadlock, and the only fix is
// to start over. Use kDeferred for transactions that only read (a consistent snapshot).
//
// No nesting: begin() on a connection that already has a transaction open fails with
// kInternal instead of silently joining it (a joined "commit" would not commit anything).
// Code that must run inside a caller's transaction takes a `Transaction&` to say so.
//
// Ownership and threading: move-only; refers to its Database, which must outlive it and
// not be moved while it is open. Same thread as the Database.
#pragma once

#include "core/base/result.h"
#include "core/base/status.h"
#include "core/db/database.h"

namespace autosync::db {

class Transaction {
 public:
  enum class Mode {
    kDeferred,   // locks on first use; for read-only transactions
    kImmediate,  // takes the write lock at begin (waiting up to the busy timeout)
  };
  enum class Durability {
    kConnectionDefault,  // as OpenOptions::synchronous says
    kSynced,  // commit() fsyncs the WAL: durable against power loss, with all earlier commits
  };

  static Result<Transaction> begin(Database& db, Mode mode,
                                   Durability durability = Durability::kConnectionDefault);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Makes the changes visible to other connections (and, with kSynced, durable). On error
  // the transaction is still open (or already rolled back by SQLite) and the destructor
  // rolls it back.
  Status commit();
  // Throws the changes away now rather than at scope exit.
  Status rollback();
  bool active() const { return db_ != nullptr; }

 private:
  Transaction(Database* db, Durability durability) : db_(db), durability_(durability) {}
  // Ends the transaction (COMMIT or ROLLBACK) and puts synchronous back after kSynced.
  Status finish(const char* sql);
  // Puts PRAGMA synchronous back to the connection's level after a kSynced transaction.
  Status restore_synchronous_on(Database& db) const;

  Database* db_;  // null once committed or rolled back
  Durability durability_;
};

}  // namespace autosync::db
