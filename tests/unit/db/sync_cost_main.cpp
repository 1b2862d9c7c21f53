// db_sync_cost: what one small write transaction costs under each durability setting.
//
//   db_sync_cost [directory] [commits]
//
// Measures, on the file system holding `directory` (default: the current one), a journal-
// style insert committed with WAL and synchronous=NORMAL, with synchronous=FULL, and with
// NORMAL plus Durability::kSynced on every transaction or on every tenth. Not a test (the
// numbers depend on the disk); it backs the choice documented in core/db/database.h.
#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

#include "core/db/database.h"
#include "core/db/transaction.h"

using namespace autosync;
using namespace autosync::db;
namespace fs = std::filesystem;

namespace {

struct Setting {
  const char* name;
  Synchronous synchronous;
  int synced_every;  // 0: never ask for kSynced
};

Status insert_one(Database& db, int i, Transaction::Durability durability) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto tx,
                            Transaction::begin(db, Transaction::Mode::kImmediate, durability));
  AUTOSYNC_ASSIGN_OR_RETURN(auto insert,
                            db.prepare_cached("INSERT INTO journal (seq, key) VALUES (?, ?)"));
  AUTOSYNC_RETURN_IF_ERROR(insert->bind(1, i).bind(2, fmt::format("docs/file-{}.txt", i)).run());
  return tx.commit();
}

Result<double> micros_per_commit(const fs::path& file, const Setting& setting, int commits) {
  OpenOptions options;
  options.synchronous = setting.synchronous;
  AUTOSYNC_ASSIGN_OR_RETURN(Database db, Database::open(file, options));
  AUTOSYNC_RETURN_IF_ERROR(db.exec(
      "CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY, seq INTEGER, key TEXT)"));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < commits; ++i) {
    const bool synced = setting.synced_every > 0 && i % setting.synced_every == 0;
    AUTOSYNC_RETURN_IF_ERROR(insert_one(
        db, i,
        synced ? Transaction::Durability::kSynced : Transaction::Durability::kConnectionDefault));
  }
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  return took.count() / commits;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path parent = argc > 1 ? fs::path(argv[1]) : fs::current_path();
  const long commits = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 500;
  std::string pattern = (parent / "db-sync-cost-XXXXXX").string();
  if (commits <= 0 || commits > 1000000 || ::mkdtemp(pattern.data()) == nullptr) {
    fmt::print(stderr, "usage: db_sync_cost [directory] [commits: 1 to 1000000]\n");
    return 2;
  }
  const fs::path dir = pattern;
  const Setting settings[] = {
      {"WAL, synchronous=NORMAL", Synchronous::kNormal, 0},
      {"WAL, synchronous=FULL", Synchronous::kFull, 0},
      {"WAL, NORMAL + kSynced on every commit", Synchronous::kNormal, 1},
      {"WAL, NORMAL + kSynced on every 10th commit", Synchronous::kNormal, 10},
  };
  fmt::print("{} commits each, in {}\n", commits, dir.string());
  int exit_code = 0;
  for (const Setting& setting : settings) {
    const auto cost = micros_per_commit(dir / fmt::format("{}.db", &setting - settings), setting,
                                        static_cast<int>(commits));
    if (!cost.is_ok()) {
      fmt::print(stderr, "{}: {}\n", setting.name, cost.status().to_string());
      exit_code = 1;
      continue;
    }
    fmt::print("{:<45} {:9.1f} us/commit\n", setting.name, *cost);
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return exit_code;
}
