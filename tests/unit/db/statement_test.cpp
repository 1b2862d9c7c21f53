// Prepared statements: every value type survives a round trip, binding errors surface at
// step(), statements can be reused, and the per-connection cache hands back clean ones.
#include "core/db/statement.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/db/database.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/db/db_test_util.h"

using namespace autosync;
using namespace autosync::db;
using namespace autosync::db::testing;

namespace {

std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

struct Fixture {
  autosync::testing::TempDir dir;
  Database db = open_or_fail(dir.path() / "index.db");
  Fixture() {
    REQUIRE(db.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)")
                .is_ok());
  }
  Statement insert() {
    auto stmt = db.prepare("INSERT INTO v (id, i, r, t, b) VALUES (?1, ?2, ?3, ?4, ?5)");
    REQUIRE(stmt.is_ok());
    return std::move(stmt).value();
  }
  Statement select(int64_t id) {
    auto stmt = db.prepare("SELECT i, r, t, b, typeof(t), typeof(b) FROM v WHERE id = ?");
    REQUIRE(stmt.is_ok());
    stmt->bind(1, id);
    auto row = stmt->step();
    REQUIRE(row.is_ok());
    REQUIRE(*row);
    return std::move(stmt).value();
  }
};

}  // namespace

TEST_CASE("integers, reals, text and blobs with NUL bytes round-trip exactly", "[db]") {
  Fixture f;
  const std::string text = std::string("caf\xc3\xa9 ") + '\0' + " after a NUL";
  const std::vector<std::byte> blob = bytes_of(std::string("\0\x01\xff\0tail", 8));
  Statement insert = f.insert();
  REQUIRE(insert.bind(1, 1)
              .bind(2, std::numeric_limits<int64_t>::min())
              .bind(3, -2.5e-300)
              .bind(4, std::string_view(text))
              .bind(5, Blob{blob})
              .run()
              .is_ok());
  Statement row = f.select(1);
  CHECK(row.int64(0) == std::numeric_limits<int64_t>::min());
  CHECK(row.real(1) == -2.5e-300);
  CHECK(row.text(2) == text);
  CHECK(row.text(2).size() == text.size());
  const auto got = row.blob(3);
  CHECK(std::vector<std::byte>(got.begin(), got.end()) == blob);
  CHECK(row.text(4) == "text");
  CHECK(row.text(5) == "blob");
}

TEST_CASE("uint64 keeps all 64 bits, and SQL sees the signed value", "[db]") {
  Fixture f;
  const uint64_t big = std::numeric_limits<uint64_t>::max() - 5;
  REQUIRE(f.insert().bind(1, 1).bind(2, big).run().is_ok());
  Statement row = f.select(1);
  CHECK(row.uint64(0) == big);
  CHECK(row.int64(0) == -6);
}

TEST_CASE("NULL, empty text and empty blob stay distinct", "[db]") {
  Fixture f;
  Statement insert = f.insert();
  REQUIRE(insert.bind(1, 1)
              .bind(2, std::nullopt)
              .bind(4, std::nullopt)
              .bind(5, std::nullopt)
              .run()
              .is_ok());
  insert.reset();
  REQUIRE(insert.bind(1, 2).bind(4, std::string_view()).bind(5, Blob{}).run().is_ok());
  insert.reset();
  const std::optional<int64_t> some = 42;
  const std::optional<int64_t> none;
  REQUIRE(insert.bind(1, 3).bind(2, some).bind(3, std::optional<double>()).run().is_ok());
  insert.reset();
  REQUIRE(insert.bind(1, 4).bind(2, none).run().is_ok());

  Statement nulls = f.select(1);
  CHECK(nulls.is_null(0));
  CHECK(nulls.is_null(2));
  CHECK(nulls.text(2).empty());
  CHECK(nulls.blob(3).empty());
  Statement empties = f.select(2);
  CHECK_FALSE(empties.is_null(2));
  CHECK(empties.text(4) == "text");
  CHECK(empties.text(5) == "blob");
  CHECK(empties.blob(3).empty());
  CHECK(f.select(3).int64(0) == 42);
  CHECK(f.select(3).is_null(1));
  CHECK(f.select(4).is_null(0));
}

TEST_CASE("named parameters bind by name, and unknown names fail at step", "[db]") {
  Fixture f;
  auto stmt = f.db.prepare("INSERT INTO v (id, t) VALUES (:id, :name)");
  REQUIRE(stmt.is_ok());
  REQUIRE(stmt->bind(":id", 7).bind(":name", "seven").run().is_ok());
  CHECK(f.select(7).text(2) == "seven");

  stmt->reset();
  const Status unknown = stmt->bind(":id", 8).bind(":nmae", "typo").run();
  CHECK(unknown.kind() == ErrorKind::kInvalid);
  CHECK_THAT(unknown.message(), Catch::Contains(":nmae") && Catch::Contains("INSERT INTO v"));
  CHECK(count_rows(f.db, "v") == 1);  // nothing ran

  stmt->reset();
  const Status out_of_range = stmt->bind(3, 1).run();
  CHECK(out_of_range.kind() == ErrorKind::kInvalid);
  CHECK_THAT(out_of_range.message(), Catch::Contains("bind parameter 3"));
}

TEST_CASE("a statement is reused after reset, with its bindings cleared", "[db]") {
  Fixture f;
  Statement insert = f.insert();
  for (int id = 1; id <= 3; ++id) {
    REQUIRE(insert.bind(1, id).bind(2, id * 10).run().is_ok());
    CHECK(f.db.last_insert_rowid() == id);
    CHECK(f.db.changes() == 1);
    insert.reset();
  }
  REQUIRE(insert.bind(1, 4).run().is_ok());  // ?2 was cleared by reset: NULL, not 30
  CHECK(f.select(4).is_null(0));

  auto all = f.db.prepare("SELECT i FROM v WHERE i IS NOT NULL ORDER BY id");
  REQUIRE(all.is_ok());
  std::vector<int64_t> seen;
  for (;;) {
    auto row = all->step();
    REQUIRE(row.is_ok());
    if (!*row) break;
    seen.push_back(all->int64(0));
  }
  CHECK(seen == std::vector<int64_t>{10, 20, 30});
  REQUIRE(f.db.exec("UPDATE v SET i = 0").is_ok());
  CHECK(f.db.changes() == 4);
}

TEST_CASE("constraint violations map to kAlreadyExists or kInvalid", "[db]") {
  Fixture f;
  REQUIRE(f.db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                    "CREATE TABLE child (p INTEGER NOT NULL REFERENCES parent(id));"
                    "CREATE TABLE named (name TEXT UNIQUE)")
              .is_ok());
  REQUIRE(f.insert().bind(1, 1).run().is_ok());
  const Status duplicate_key = f.insert().bind(1, 1).run();
  CHECK(duplicate_key.kind() == ErrorKind::kAlreadyExists);
  CHECK_THAT(duplicate_key.message(), Catch::Contains("UNIQUE constraint failed: v.id"));
  REQUIRE(f.db.exec("INSERT INTO named VALUES ('a')").is_ok());
  CHECK(f.db.exec("INSERT INTO named VALUES ('a')").kind() == ErrorKind::kAlreadyExists);
  // foreign_keys=ON is set by open(): a dangling reference is refused.
  const Status dangling = f.db.exec("INSERT INTO child VALUES (99)");
  CHECK(dangling.kind() == ErrorKind::kInvalid);
  CHECK_THAT(dangling.message(), Catch::Contains("FOREIGN KEY"));
  CHECK(f.db.exec("INSERT INTO child VALUES (NULL)").kind() == ErrorKind::kInvalid);
}

TEST_CASE("cached statements are reused, reset and cleared between uses", "[db]") {
  Fixture f;
  const char* kInsert = "INSERT INTO v (id, i) VALUES (?, ?)";
  CHECK(f.db.cached_statement_count() == 0);
  for (int id = 1; id <= 3; ++id) {
    auto stmt = f.db.prepare_cached(kInsert);
    REQUIRE(stmt.is_ok());
    CHECK(f.db.cached_statement_count() == 0);  // on loan
    REQUIRE((*stmt)->bind(1, id).bind(2, id).run().is_ok());
  }
  CHECK(f.db.cached_statement_count() == 1);  // one prepared statement served all three

  {
    auto stmt = f.db.prepare_cached(kInsert);
    REQUIRE(stmt.is_ok());
    REQUIRE((*stmt)->bind(1, 4).run().is_ok());  // the previous ?2 = 3 must not leak in
  }
  CHECK(f.select(4).is_null(0));

  const char* kSelect = "SELECT id FROM v ORDER BY id";
  {
    auto outer = f.db.prepare_cached(kSelect);
    REQUIRE(outer.is_ok());
    REQUIRE(*(*outer)->step());
    CHECK((*outer)->int64(0) == 1);
    auto inner = f.db.prepare_cached(kSelect);  // same SQL while the first is out
    REQUIRE(inner.is_ok());
    REQUIRE(*(*inner)->step());
    CHECK((*inner)->int64(0) == 1);
    REQUIRE(*(*outer)->step());
    CHECK((*outer)->int64(0) == 2);  // the two cursors are independent
  }                                  // both go back mid-iteration; they must come back reset
  CHECK(f.db.cached_statement_count() == 3);
  auto again = f.db.prepare_cached(kSelect);
  REQUIRE(again.is_ok());
  REQUIRE(*(*again)->step());
  CHECK((*again)->int64(0) == 1);
}

TEST_CASE("a bad statement is not cached and reports its error", "[db]") {
  Fixture f;
  auto bad = f.db.prepare_cached("SELECT nope FROM v");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().kind() == ErrorKind::kInvalid);
  CHECK_THAT(bad.status().message(), Catch::Contains("no such column: nope"));
  CHECK(f.db.cached_statement_count() == 0);
}

TEST_CASE("an empty Statement fails cleanly instead of crashing", "[db]") {
  Statement empty;
  CHECK_FALSE(empty.valid());
  const Status status = empty.bind(1, 5).run();
  CHECK(status.kind() == ErrorKind::kInternal);
}
