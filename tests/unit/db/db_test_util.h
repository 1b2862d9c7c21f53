// Helpers shared by the core/db unit tests: opening a test database, counting rows, and
// running a piece of a test in a forked child (another process, or an unprivileged user).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/db/database.h"
#include "tests/support/child_process.h"

namespace autosync::db::testing {

// Opens (creating) `file` with default options; the test fails if that does not work.
Database open_or_fail(const std::filesystem::path& file, const OpenOptions& options = {});

// SELECT count(*) FROM `table` (a name from the test itself, not user input).
int64_t count_rows(Database& db, std::string_view table);

// Children run through tests/support/child_process.h (see its rules for the child's body).
using autosync::testing::ChildReport;
using autosync::testing::run_in_child;

// As run_in_child, but the child runs as the unprivileged user "nobody" when we are root.
ChildReport run_as_unprivileged(const std::function<std::string()>& body);

// "<kind>|<message>" for a Status, so a child can send one back in one string.
std::string describe(const Status& status);

}  // namespace autosync::db::testing
