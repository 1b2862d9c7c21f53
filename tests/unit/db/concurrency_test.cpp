// Many writers on one index.db: threads with pooled connections and a second process, all
// under WAL with BEGIN IMMEDIATE and the busy timeout, and no SQLITE_BUSY reaching callers.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/db/connection_pool.h"
#include "core/db/transaction.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/db/db_test_util.h"

using namespace autosync;
using namespace autosync::db;
using namespace autosync::db::testing;

namespace {

constexpr int kWritesEach = 300;

void create_schema(const std::filesystem::path& file) {
  Database db = open_or_fail(file);
  REQUIRE(db.exec("CREATE TABLE journal (id INTEGER PRIMARY KEY, writer TEXT NOT NULL,"
                  " seq INTEGER NOT NULL, payload BLOB)")
              .is_ok());
}

// One writer's work, the way the journal will be written: a read and a write in one
// IMMEDIATE transaction per entry. Returns the first error.
Status write_entries(Database& db, const std::string& writer) {
  for (int seq = 0; seq < kWritesEach; ++seq) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, Transaction::Mode::kImmediate));
    AUTOSYNC_ASSIGN_OR_RETURN(auto count, db.prepare_cached("SELECT count(*) FROM journal"));
    AUTOSYNC_RETURN_IF_ERROR(count->step().status());
    AUTOSYNC_ASSIGN_OR_RETURN(
        auto insert,
        db.prepare_cached("INSERT INTO journal (writer, seq, payload) VALUES (?, ?, ?)"));
    const std::string payload(64, static_cast<char>('a' + seq % 26));
    AUTOSYNC_RETURN_IF_ERROR(
        insert->bind(1, writer).bind(2, seq).bind(3, payload.substr(seq % 7)).run());
    AUTOSYNC_RETURN_IF_ERROR(tx.commit());
  }
  return Status::ok();
}

int64_t rows_by(Database& db, const std::string& writer) {
  auto stmt = db.prepare("SELECT count(DISTINCT seq) FROM journal WHERE writer = ?");
  REQUIRE(stmt.is_ok());
  REQUIRE(*stmt->bind(1, writer).step());
  return stmt->int64(0);
}

}  // namespace

TEST_CASE("the pool opens connections lazily and reuses them", "[db]") {
  autosync::testing::TempDir dir;
  PoolOptions options;
  options.max_connections = 2;
  options.acquire_timeout = std::chrono::milliseconds(50);
  ConnectionPool pool(dir.path() / "index.db", options);
  CHECK(pool.open_count() == 0);
  {
    auto conn = pool.acquire();
    REQUIRE(conn.is_ok());
    REQUIRE((*conn)->exec("CREATE TABLE t (x)").is_ok());
  }
  { REQUIRE(pool.acquire().is_ok()); }
  CHECK(pool.open_count() == 1);  // the same connection came back

  auto first = pool.acquire();
  auto second = pool.acquire();
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(pool.open_count() == 2);
  auto third = pool.acquire();  // all out: waits 50 ms, then gives up
  REQUIRE_FALSE(third.is_ok());
  CHECK(third.status().kind() == ErrorKind::kTransient);
  CHECK_THAT(third.status().message(), Catch::Contains("all 2 database connections"));
}

TEST_CASE("a waiting acquire gets the connection another thread gives back", "[db]") {
  autosync::testing::TempDir dir;
  PoolOptions options;
  options.max_connections = 1;
  ConnectionPool pool(dir.path() / "index.db", options);
  auto held = pool.acquire();
  REQUIRE(held.is_ok());
  std::thread releaser([conn = std::move(held).value()]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // conn goes back to the pool when this lambda is destroyed at thread exit
  });
  auto waited = pool.acquire();
  releaser.join();
  REQUIRE(waited.is_ok());
  CHECK(pool.open_count() == 1);
}

TEST_CASE("a pool whose file cannot be opened reports it and frees the slot", "[db]") {
  autosync::testing::TempDir dir;
  PoolOptions options;
  options.max_connections = 1;
  ConnectionPool pool(dir.path() / "missing-dir" / "index.db", options);
  for (int attempt = 0; attempt < 2; ++attempt) {  // the failed slot is not leaked
    auto conn = pool.acquire();
    REQUIRE_FALSE(conn.is_ok());
    CHECK(conn.status().kind() == ErrorKind::kNotFound);
  }
  CHECK(pool.open_count() == 0);
}

TEST_CASE("threads writing through the pool all succeed under WAL", "[db]") {
  autosync::testing::TempDir dir;
  const auto file = dir.path() / "index.db";
  create_schema(file);
  PoolOptions options;
  options.max_connections = 3;
  ConnectionPool pool(file, options);
  std::vector<Status> results(3);
  std::vector<std::thread> threads;
  threads.reserve(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto conn = pool.acquire();
      results[i] =
          conn.is_ok() ? write_entries(**conn, "thread" + std::to_string(i)) : conn.status();
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const Status& result : results) {
    INFO(result.to_string());
    CHECK(result.is_ok());
  }
  auto conn = pool.acquire();
  REQUIRE(conn.is_ok());
  CHECK(count_rows(**conn, "journal") == int64_t{3} * kWritesEach);
  CHECK(rows_by(**conn, "thread2") == kWritesEach);
}

TEST_CASE("a second process writes at the same time without busy errors", "[db]") {
  autosync::testing::TempDir dir;
  const auto file = dir.path() / "index.db";
  create_schema(file);
  Status parent_result;
  const ChildReport child = run_in_child(
      [&] {
        auto db = Database::open(file, {});
        const Status status = db.is_ok() ? write_entries(*db, "child") : db.status();
        return status.is_ok() ? std::string() : status.to_string();
      },
      [&] {  // the parent writes while the child does
        auto db = Database::open(file, {});
        parent_result = db.is_ok() ? write_entries(*db, "parent") : db.status();
      });
  INFO("child: " << child.output << "; parent: " << parent_result.to_string());
  CHECK(child.exit_code == 0);
  CHECK(child.output.empty());
  CHECK(parent_result.is_ok());
  Database db = open_or_fail(file);
  CHECK(rows_by(db, "parent") == kWritesEach);
  CHECK(rows_by(db, "child") == kWritesEach);
}
