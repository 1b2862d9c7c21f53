// Helpers shared by the core/db unit tests: opening a test database, counting rows, and
// running a piece of a test in a forked child (another process, or an unprivileged user).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/db/database.h"

namespace autosync::db::testing {

// Opens (creating) `file` with default options; the test fails if that does not work.
Database open_or_fail(const std::filesystem::path& file, const OpenOptions& options = {});

// SELECT count(*) FROM `table` (a name from the test itself, not user input).
int64_t count_rows(Database& db, std::string_view table);

// What a forked child reported: its exit code and what it wrote.
struct ChildReport {
  int exit_code = -1;
  std::string output;
};

// Runs `body` in a forked child and returns what it returned; meanwhile the parent runs
// `meanwhile` (if given), so the two processes work at the same time. The child leaves with
// _exit, so it never runs the parent's destructors (closing the parent's SQLite connections
// in a child would break their locks). The child must open its own connections, and must
// not use Catch2 assertions (an exception ends the child with exit code 4). Fork only while
// the test has no other threads: one could hold a lock inside SQLite at the fork.
ChildReport run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile = {});

// As run_in_child, but the child first drops to the unprivileged user "nobody" (uid 65534)
// when running as root, so file permissions apply to it.
ChildReport run_as_unprivileged(const std::function<std::string()>& body);

// "<kind>|<message>" for a Status, so a child can send one back in one string.
std::string describe(const Status& status);

}  // namespace autosync::db::testing
