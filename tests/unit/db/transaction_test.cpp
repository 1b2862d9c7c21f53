// Transactions: commit publishes, scope exit rolls back, an error midway leaves nothing,
// nesting is refused, kSynced raises synchronous for one commit, and lock waits end in
// kTransient after the busy timeout.
#include "core/db/transaction.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/temp_dir.h"
#include "tests/unit/db/db_test_util.h"

using namespace autosync;
using namespace autosync::db;
using namespace autosync::db::testing;
using Mode = Transaction::Mode;
using Durability = Transaction::Durability;

namespace {

struct Fixture {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  Database other = open_or_fail(dir.path() / "index.db");  // a second connection
  Fixture() { REQUIRE(db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").is_ok()); }
};

Transaction begin_or_fail(Database& db, Mode mode,
                          Durability durability = Durability::kConnectionDefault) {
  auto tx = Transaction::begin(db, mode, durability);
  INFO(tx.status().to_string());
  REQUIRE(tx.is_ok());
  return std::move(tx).value();
}

Status insert(Database& db, int64_t id) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare_cached("INSERT INTO t (id) VALUES (?)"));
  return stmt->bind(1, id).run();
}

// The way real callers write a transaction: any failure returns early and rolls back.
Status insert_all(Database& db, std::initializer_list<int64_t> ids) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, Mode::kImmediate));
  for (const int64_t id : ids)
    AUTOSYNC_RETURN_IF_ERROR(insert(db, id));
  return tx.commit();
}

int64_t synchronous_level(Database& db) {
  auto stmt = db.prepare("PRAGMA synchronous");
  REQUIRE(stmt.is_ok());
  REQUIRE(*stmt->step());
  return stmt->int64(0);
}

}  // namespace

TEST_CASE("commit makes the changes visible to other connections", "[db]") {
  Fixture f;
  Transaction tx = begin_or_fail(f.db, Mode::kImmediate);
  CHECK(tx.active());
  CHECK(f.db.in_transaction());
  REQUIRE(insert(f.db, 1).is_ok());
  REQUIRE(insert(f.db, 2).is_ok());
  CHECK(count_rows(f.other, "t") == 0);  // not yet
  REQUIRE(tx.commit().is_ok());
  CHECK_FALSE(tx.active());
  CHECK_FALSE(f.db.in_transaction());
  CHECK(count_rows(f.other, "t") == 2);
  CHECK(tx.commit().kind() == ErrorKind::kInternal);  // twice is a bug
}

TEST_CASE("leaving the scope without commit rolls back", "[db]") {
  Fixture f;
  {
    Transaction tx = begin_or_fail(f.db, Mode::kImmediate);
    REQUIRE(insert(f.db, 1).is_ok());
  }
  CHECK_FALSE(f.db.in_transaction());
  CHECK(count_rows(f.db, "t") == 0);

  Transaction tx = begin_or_fail(f.db, Mode::kDeferred);
  REQUIRE(insert(f.db, 2).is_ok());
  REQUIRE(tx.rollback().is_ok());
  CHECK(count_rows(f.db, "t") == 0);
  CHECK(tx.rollback().is_ok());  // harmless once done
}

TEST_CASE("an error in the middle of a transaction leaves nothing behind", "[db]") {
  Fixture f;
  REQUIRE(insert(f.db, 3).is_ok());
  const Status failed = insert_all(f.db, {1, 2, 3, 4});  // 3 is taken
  CHECK(failed.kind() == ErrorKind::kAlreadyExists);
  CHECK_FALSE(f.db.in_transaction());
  CHECK(count_rows(f.db, "t") == 1);
  REQUIRE(insert_all(f.db, {1, 2, 4}).is_ok());
  CHECK(count_rows(f.other, "t") == 4);
}

TEST_CASE("a nested begin is refused and the outer transaction carries on", "[db]") {
  Fixture f;
  Transaction outer = begin_or_fail(f.db, Mode::kImmediate);
  REQUIRE(insert(f.db, 1).is_ok());
  auto inner = Transaction::begin(f.db, Mode::kImmediate);
  REQUIRE_FALSE(inner.is_ok());
  CHECK(inner.status().kind() == ErrorKind::kInternal);
  CHECK_THAT(inner.status().message(), Catch::Contains("already open"));
  CHECK(f.db.in_transaction());
  REQUIRE(outer.commit().is_ok());
  CHECK(count_rows(f.other, "t") == 1);
}

TEST_CASE("kSynced commits with synchronous=FULL and then restores NORMAL", "[db]") {
  Fixture f;
  {
    Transaction tx = begin_or_fail(f.db, Mode::kImmediate, Durability::kSynced);
    CHECK(synchronous_level(f.db) == 2);
    REQUIRE(insert(f.db, 1).is_ok());
    REQUIRE(tx.commit().is_ok());
  }
  CHECK(synchronous_level(f.db) == 1);
  {
    Transaction tx = begin_or_fail(f.db, Mode::kImmediate, Durability::kSynced);
    REQUIRE(insert(f.db, 2).is_ok());
  }  // rolled back: restored as well
  CHECK(synchronous_level(f.db) == 1);
  {
    Transaction tx = begin_or_fail(f.db, Mode::kImmediate);
    CHECK(synchronous_level(f.db) == 1);
  }
  CHECK(count_rows(f.other, "t") == 1);
}

TEST_CASE("a deferred transaction reads one consistent snapshot", "[db]") {
  Fixture f;
  REQUIRE(insert(f.db, 1).is_ok());
  Transaction reading = begin_or_fail(f.db, Mode::kDeferred);
  CHECK(count_rows(f.db, "t") == 1);
  REQUIRE(insert(f.other, 2).is_ok());  // WAL: a writer does not wait for the reader
  CHECK(count_rows(f.db, "t") == 1);
  REQUIRE(reading.commit().is_ok());
  CHECK(count_rows(f.db, "t") == 2);
}

TEST_CASE("a writer waits for the busy timeout, then fails kTransient", "[db]") {
  Fixture f;
  OpenOptions impatient;
  impatient.busy_timeout = std::chrono::milliseconds(150);
  Database waiting = open_or_fail(f.dir.path() / "index.db", impatient);
  Transaction holder = begin_or_fail(f.db, Mode::kImmediate);

  const auto start = std::chrono::steady_clock::now();
  auto blocked = Transaction::begin(waiting, Mode::kImmediate);
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(blocked.is_ok());
  CHECK(blocked.status().kind() == ErrorKind::kTransient);
  CHECK(blocked.status().retryable());
  CHECK_THAT(blocked.status().message(), Catch::Contains("database is locked"));
  CHECK(waited >= std::chrono::milliseconds(100));
  CHECK_FALSE(waiting.in_transaction());

  REQUIRE(holder.commit().is_ok());
  auto now_free = Transaction::begin(waiting, Mode::kImmediate);
  CHECK(now_free.is_ok());
}
