// Schema migrations: from nothing to the latest version, idempotent, one transaction per
// step, safe when two connections race, and a newer file is left alone.
#include "core/db/migrate.h"

#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tests/unit/db/db_test_util.h"

using namespace autosync;
using namespace autosync::db;
using namespace autosync::db::testing;

namespace {

constexpr Migration kSchema[] = {
    {1, "CREATE TABLE inodes (ino INTEGER PRIMARY KEY, size INTEGER NOT NULL);"},
    {2,
     "CREATE TABLE names (parent INTEGER NOT NULL, name TEXT NOT NULL, ino INTEGER NOT NULL,"
     " PRIMARY KEY (parent, name));"
     "CREATE INDEX names_by_ino ON names (ino);"},
    {3,
     "ALTER TABLE inodes ADD COLUMN mtime_ns INTEGER;"
     "CREATE TABLE applied (step INTEGER);"
     "INSERT INTO applied VALUES (3);"},
};

int version_of(Database& db) {
  auto version = schema_version(db);
  REQUIRE(version.is_ok());
  return *version;
}

bool has_table(Database& db, const char* name) {
  auto stmt = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
  REQUIRE(stmt.is_ok());
  auto row = stmt->bind(1, name).step();
  REQUIRE(row.is_ok());
  return *row;
}

}  // namespace

TEST_CASE("migrate takes a new file from version 0 to the last step", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  CHECK(version_of(db) == 0);
  REQUIRE(migrate(db, kSchema).is_ok());
  CHECK(version_of(db) == 3);
  CHECK(has_table(db, "inodes"));
  CHECK(has_table(db, "names"));
  REQUIRE(db.exec("INSERT INTO inodes (ino, size, mtime_ns) VALUES (1, 0, 5)").is_ok());
}

TEST_CASE("running the migrations again changes nothing", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  REQUIRE(migrate(db, kSchema).is_ok());
  REQUIRE(db.exec("INSERT INTO inodes (ino, size) VALUES (1, 10)").is_ok());
  REQUIRE(migrate(db, kSchema).is_ok());
  CHECK(version_of(db) == 3);
  CHECK(count_rows(db, "inodes") == 1);
  CHECK(count_rows(db, "applied") == 1);
}

TEST_CASE("an older file gets only the steps it lacks", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  REQUIRE(migrate(db, std::span(kSchema).first(1)).is_ok());
  CHECK(version_of(db) == 1);
  CHECK_FALSE(has_table(db, "names"));
  REQUIRE(db.exec("INSERT INTO inodes (ino, size) VALUES (1, 10)").is_ok());
  REQUIRE(migrate(db, kSchema).is_ok());
  CHECK(version_of(db) == 3);
  CHECK(count_rows(db, "inodes") == 1);  // step 1 did not run again
}

TEST_CASE("a file from a newer AutoSync is refused and left untouched", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  REQUIRE(db.exec("PRAGMA user_version = 9").is_ok());
  const Status refused = migrate(db, kSchema);
  CHECK(refused.kind() == ErrorKind::kUnsupported);
  CHECK_THAT(refused.message(), Catch::Contains("index.db was written by a newer AutoSync") &&
                                    Catch::Contains("schema version 9") &&
                                    Catch::Contains("up to 3"));
  CHECK(version_of(db) == 9);
  CHECK_FALSE(has_table(db, "inodes"));
}

TEST_CASE("a failing step is rolled back whole and names its version", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  const Migration broken[] = {
      kSchema[0],
      {2, "CREATE TABLE half (x); CREATE TABLE inodes (duplicate);"},
  };
  const Status failed = migrate(db, broken);
  CHECK(failed.kind() == ErrorKind::kInvalid);
  CHECK_THAT(failed.message(), Catch::Contains("to schema version 2") &&
                                   Catch::Contains("table inodes already exists"));
  CHECK(version_of(db) == 1);
  CHECK(has_table(db, "inodes"));
  CHECK_FALSE(has_table(db, "half"));
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("steps out of order are a bug caught before touching the file", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  const Migration unordered[] = {kSchema[1], kSchema[0]};
  CHECK(migrate(db, unordered).kind() == ErrorKind::kInternal);
  const Migration from_zero[] = {{0, "CREATE TABLE x (y)"}};
  CHECK(migrate(db, from_zero).kind() == ErrorKind::kInternal);
  CHECK(version_of(db) == 0);
}

TEST_CASE("two connections migrating at once apply each step once", "[db]") {
  autosync::testing::TempDir dir;
  const auto file = dir.path() / "index.db";
  { Database create = open_or_fail(file); }
  Status results[2];
  auto run = [&](int i) {
    auto db = Database::open(file, {});
    results[i] = db.is_ok() ? migrate(*db, kSchema) : db.status();
  };
  std::thread a(run, 0);
  std::thread b(run, 1);
  a.join();
  b.join();
  INFO(results[0].to_string() << " / " << results[1].to_string());
  CHECK(results[0].is_ok());
  CHECK(results[1].is_ok());
  Database db = open_or_fail(file);
  CHECK(version_of(db) == 3);
  CHECK(count_rows(db, "applied") == 1);
}
