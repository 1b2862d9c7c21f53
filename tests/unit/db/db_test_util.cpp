#include "tests/unit/db/db_test_util.h"

#include <catch2/catch.hpp>
#include <string>

namespace autosync::db::testing {

Database open_or_fail(const std::filesystem::path& file, const OpenOptions& options) {
  auto db = Database::open(file, options);
  INFO(db.status().to_string());
  REQUIRE(db.is_ok());
  return std::move(db).value();
}

int64_t count_rows(Database& db, std::string_view table) {
  auto stmt = db.prepare("SELECT count(*) FROM " + std::string(table));
  INFO(stmt.status().to_string());
  REQUIRE(stmt.is_ok());
  auto row = stmt->step();
  REQUIRE(row.is_ok());
  REQUIRE(*row);
  return stmt->int64(0);
}

std::string describe(const Status& status) {
  return std::string(to_string(status.kind())) + "|" + status.message();
}

ChildReport run_as_unprivileged(const std::function<std::string()>& body) {
  return run_in_child(body, {}, {.drop_privileges = true});
}

}  // namespace autosync::db::testing
