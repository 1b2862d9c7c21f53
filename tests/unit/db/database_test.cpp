// Opening the cache index: the settings every connection gets, and the errors a user sees
// for a missing, foreign, damaged or forbidden file.
#include "core/db/database.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"
#include "tests/unit/db/db_test_util.h"

using namespace autosync;
using namespace autosync::db;
using namespace autosync::db::testing;
namespace fs = std::filesystem;

namespace {

std::string pragma_text(Database& db, const char* pragma) {
  auto stmt = db.prepare(std::string("PRAGMA ") + pragma);
  REQUIRE(stmt.is_ok());
  auto row = stmt->step();
  REQUIRE(row.is_ok());
  REQUIRE(*row);
  return std::string(stmt->text(0));
}

void write_file(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("open creates the file with WAL, foreign keys and the busy timeout", "[db]") {
  autosync::testing::TempDir dir;
  const fs::path file = dir.path() / "index.db";
  OpenOptions options;
  options.busy_timeout = std::chrono::milliseconds(1234);
  Database db = open_or_fail(file, options);
  CHECK(fs::exists(file));
  CHECK(db.path() == file);
  CHECK(pragma_text(db, "journal_mode") == "wal");
  CHECK(pragma_text(db, "foreign_keys") == "1");
  CHECK(pragma_text(db, "synchronous") == "1");  // NORMAL
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("the busy handler sleeps briefly at first, then longer, and gives up at the timeout",
          "[db]") {
  using autosync::db::detail::busy_sleep;
  using std::chrono::microseconds;
  CHECK(busy_sleep(0, 5'000'000) == microseconds(50));
  CHECK(busy_sleep(1, 5'000'000) == microseconds(100));
  CHECK(busy_sleep(5, 5'000'000) == microseconds(1600));
  CHECK(busy_sleep(6, 5'000'000) == microseconds(2000));
  CHECK(busy_sleep(100, 5'000'000) == microseconds(2000));
  // The sleeps before giving up add up to the timeout, give or take one sleep.
  int64_t slept = 0;
  int tries = 0;
  while (auto sleep = busy_sleep(tries, 1'234'000)) {
    slept += sleep->count();
    ++tries;
  }
  CHECK(slept >= 1'234'000);
  CHECK(slept < 1'234'000 + 2000);
  CHECK_FALSE(busy_sleep(0, 0));
  CHECK(busy_sleep(1'000'000'000, 5'000'000) == std::nullopt);  // no overflow
}

TEST_CASE("Synchronous::kFull sets PRAGMA synchronous=FULL", "[db]") {
  autosync::testing::TempDir dir;
  OpenOptions options;
  options.synchronous = Synchronous::kFull;
  Database db = open_or_fail(dir.path() / "index.db", options);
  CHECK(pragma_text(db, "synchronous") == "2");
}

TEST_CASE("a missing file without create is kNotFound naming the file", "[db]") {
  autosync::testing::TempDir dir;
  OpenOptions options;
  options.create = false;
  auto db = Database::open(dir.path() / "index.db", options);
  REQUIRE_FALSE(db.is_ok());
  CHECK(db.status().kind() == ErrorKind::kNotFound);
  CHECK_THAT(db.status().message(), Catch::Contains((dir.path() / "index.db").string()));
  CHECK_FALSE(fs::exists(dir.path() / "index.db"));
}

TEST_CASE("a read-only connection reads but refuses writes with kReadOnly", "[db]") {
  autosync::testing::TempDir dir;
  const fs::path file = dir.path() / "index.db";
  Database writer = open_or_fail(file);
  REQUIRE(writer.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);").is_ok());
  OpenOptions options;
  options.read_only = true;
  Database reader = open_or_fail(file, options);
  CHECK(count_rows(reader, "t") == 1);
  const Status write = reader.exec("INSERT INTO t VALUES (8)");
  CHECK(write.kind() == ErrorKind::kReadOnly);
  CHECK_THAT(write.message(), Catch::Contains("readonly"));
}

TEST_CASE("a file of garbage is kCorrupt: not an SQLite database", "[db]") {
  autosync::testing::TempDir dir;
  const fs::path file = dir.path() / "index.db";
  write_file(file, std::string(8192, 'x') + "this is not a database");
  auto db = Database::open(file, {});
  REQUIRE_FALSE(db.is_ok());
  CHECK(db.status().kind() == ErrorKind::kCorrupt);
  CHECK(db.status().message() == file.string() + " is not an SQLite database (corrupt cache?)");
  CHECK(db.status().message().find('\n') == std::string::npos);
}

TEST_CASE("a damaged table page is kCorrupt when read", "[db]") {
  autosync::testing::TempDir dir;
  const fs::path file = dir.path() / "index.db";
  {
    Database db = open_or_fail(file);
    REQUIRE(db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB);"
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
                    "INSERT INTO t SELECT i, randomblob(100) FROM n;")
                .is_ok());
  }  // the last connection to close checkpoints the WAL into the file
  REQUIRE(fs::file_size(file) > uintmax_t{3} * 4096);
  {
    // Page 2 holds the table's root; scribble over it past its header.
    std::fstream out(file, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(4096);
    const std::string junk(4096, '\xff');
    out.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  Database db = open_or_fail(file);  // page 1 (the schema) is intact
  auto stmt = db.prepare("SELECT sum(length(payload)) FROM t");
  REQUIRE(stmt.is_ok());
  auto row = stmt->step();
  REQUIRE_FALSE(row.is_ok());
  CHECK(row.status().kind() == ErrorKind::kCorrupt);
  CHECK_THAT(row.status().message(), Catch::Contains(file.string()) &&
                                         Catch::Contains("malformed") &&
                                         Catch::Contains("corrupt cache?"));
}

TEST_CASE("exec runs scripts, and prepare takes exactly one valid statement", "[db]") {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  REQUIRE(db.exec("CREATE TABLE a (x); CREATE TABLE b (y); INSERT INTO a VALUES (1);").is_ok());
  CHECK(count_rows(db, "a") == 1);

  auto two = db.prepare("SELECT 1; SELECT 2");
  CHECK(two.status().kind() == ErrorKind::kInvalid);
  CHECK_THAT(two.status().message(), Catch::Contains("more than one statement"));
  CHECK(db.prepare("SELECT 1;  ").is_ok());  // a trailing semicolon is one statement

  auto typo = db.prepare("SELEC x FROM a");
  CHECK(typo.status().kind() == ErrorKind::kInvalid);
  CHECK_THAT(typo.status().message(),
             Catch::Contains("index.db") && Catch::Contains("syntax error"));

  const Status missing = db.exec("INSERT INTO nowhere VALUES (1)");
  CHECK(missing.kind() == ErrorKind::kInvalid);
  CHECK_THAT(missing.message(), Catch::Contains("no such table: nowhere"));
}

TEST_CASE("a moved Database keeps its connection and statement cache", "[db]") {
  autosync::testing::TempDir dir;
  Database first = open_or_fail(dir.path() / "index.db");
  REQUIRE(first.exec("CREATE TABLE t (x)").is_ok());
  { REQUIRE(first.prepare_cached("INSERT INTO t VALUES (1)").is_ok()); }
  Database second = std::move(first);
  CHECK(second.cached_statement_count() == 1);
  auto insert = second.prepare_cached("INSERT INTO t VALUES (1)");
  REQUIRE(insert.is_ok());
  REQUIRE((*insert)->run().is_ok());
  CHECK(count_rows(second, "t") == 1);
}

TEST_CASE("no permission on the directory or the file is kAccessDenied", "[db]") {
  autosync::testing::TempDir dir;
  // Root-owned and not writable by others: read-only for the unprivileged child.
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const fs::path fresh = dir.path() / "index.db";
  const fs::path secret = dir.path() / "secret.db";
  { Database db = open_or_fail(secret); }
  REQUIRE(::chmod(secret.c_str(), 0600) == 0);

  const ChildReport report = run_as_unprivileged([&] {
    return describe(Database::open(fresh, {}).status()) + "\n" +
           describe(Database::open(secret, {}).status());
  });
  REQUIRE(report.exit_code == 0);
  const auto newline = report.output.find('\n');
  REQUIRE(newline != std::string::npos);
  const std::string create = report.output.substr(0, newline);
  const std::string read = report.output.substr(newline + 1);
  CHECK_THAT(create, Catch::StartsWith("access denied|") && Catch::Contains(fresh.string()) &&
                         Catch::Contains("Permission denied"));
  CHECK_THAT(read, Catch::StartsWith("access denied|") && Catch::Contains(secret.string()));
  CHECK_FALSE(fs::exists(fresh));
}
