// How SQLite's failures become Status values: the code table, the one-line messages, and a
// real full disk (a 1 MiB tmpfs, when the test may mount one).
#include <sqlite3.h>
#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

#include "core/db/database.h"
#include "core/db/sqlite_error.h"
#include "core/db/transaction.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/db/db_test_util.h"

using namespace autosync;
using namespace autosync::db;
using namespace autosync::db::testing;
namespace fs = std::filesystem;

TEST_CASE("SQLite result codes map to the ErrorKind a caller acts on", "[db]") {
  CHECK(error_kind_for(SQLITE_BUSY, 0) == ErrorKind::kTransient);
  CHECK(error_kind_for(SQLITE_BUSY_SNAPSHOT, 0) == ErrorKind::kTransient);
  CHECK(error_kind_for(SQLITE_LOCKED, 0) == ErrorKind::kTransient);
  CHECK(error_kind_for(SQLITE_FULL, 0) == ErrorKind::kNoSpace);
  CHECK(error_kind_for(SQLITE_IOERR_WRITE, ENOSPC) == ErrorKind::kNoSpace);
  CHECK(error_kind_for(SQLITE_IOERR_FSYNC, EIO) == ErrorKind::kIo);
  CHECK(error_kind_for(SQLITE_CORRUPT, 0) == ErrorKind::kCorrupt);
  CHECK(error_kind_for(SQLITE_NOTADB, 0) == ErrorKind::kCorrupt);
  CHECK(error_kind_for(SQLITE_CANTOPEN, EACCES) == ErrorKind::kAccessDenied);
  CHECK(error_kind_for(SQLITE_CANTOPEN, EROFS) == ErrorKind::kReadOnly);
  CHECK(error_kind_for(SQLITE_CANTOPEN, ENOENT) == ErrorKind::kNotFound);
  CHECK(error_kind_for(SQLITE_READONLY, 0) == ErrorKind::kReadOnly);
  CHECK(error_kind_for(SQLITE_READONLY_DBMOVED, 0) == ErrorKind::kReadOnly);
  CHECK(error_kind_for(SQLITE_TOOBIG, 0) == ErrorKind::kTooBig);
  CHECK(error_kind_for(SQLITE_CONSTRAINT_UNIQUE, 0) == ErrorKind::kAlreadyExists);
  CHECK(error_kind_for(SQLITE_CONSTRAINT_PRIMARYKEY, 0) == ErrorKind::kAlreadyExists);
  CHECK(error_kind_for(SQLITE_CONSTRAINT_NOTNULL, 0) == ErrorKind::kInvalid);
  CHECK(error_kind_for(SQLITE_ERROR, 0) == ErrorKind::kInvalid);
  CHECK(error_kind_for(SQLITE_MISUSE, 0) == ErrorKind::kInternal);
  CHECK(error_kind_for(SQLITE_OK, 0) == ErrorKind::kOk);
}

TEST_CASE("a statement is named by its first line, shortened", "[db]") {
  CHECK(sql_snippet("SELECT 1") == "SELECT 1");
  CHECK(sql_snippet("\n  INSERT INTO t\n VALUES (?)") == "INSERT INTO t...");
  CHECK(sql_snippet(std::string(100, 'x')) == std::string(60, 'x') + "...");
  CHECK(sql_snippet("   ") == "(empty SQL)");
}

namespace {

// A tmpfs mounted for one test and unmounted (lazily, so it always goes) at scope exit.
class TinyTmpfs {
 public:
  explicit TinyTmpfs(fs::path where) : where_(std::move(where)) {
    fs::create_directory(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") == 0;
    if (!mounted_) error_ = errno;
  }
  ~TinyTmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  TinyTmpfs(const TinyTmpfs&) = delete;
  TinyTmpfs& operator=(const TinyTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  int error() const { return error_; }
  const fs::path& path() const { return where_; }

 private:
  fs::path where_;
  bool mounted_ = false;
  int error_ = 0;
};

// Inserts 64 KiB rows, one transaction each, until something fails (or 100 rows fit).
Status fill(Database& db) {
  AUTOSYNC_RETURN_IF_ERROR(db.exec("CREATE TABLE filler (data BLOB)"));
  for (int i = 0; i < 100; ++i) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, Transaction::Mode::kImmediate));
    AUTOSYNC_RETURN_IF_ERROR(db.exec("INSERT INTO filler VALUES (randomblob(65536))"));
    AUTOSYNC_RETURN_IF_ERROR(tx.commit());
  }
  return Status::ok();
}

}  // namespace

TEST_CASE("a full disk is kNoSpace, and the connection survives it", "[db]") {
  autosync::testing::TempDir dir;
  TinyTmpfs tmpfs(dir.path() / "mnt");
  if (!tmpfs.mounted()) {
    WARN("skipped: cannot mount a tmpfs here ("
         << std::error_code(tmpfs.error(), std::generic_category()).message() << ")");
    return;
  }
  const fs::path file = tmpfs.path() / "index.db";
  Database db = open_or_fail(file);
  const Status full = fill(db);
  INFO(full.to_string());
  REQUIRE_FALSE(full.is_ok());
  CHECK(full.kind() == ErrorKind::kNoSpace);
  CHECK_THAT(full.message(), Catch::Contains(file.string()));
  CHECK(full.message().find('\n') == std::string::npos);
  CHECK_FALSE(db.in_transaction());
  // What was committed before the disk filled up is intact and readable.
  const int64_t rows = count_rows(db, "filler");
  CHECK(rows > 0);
  CHECK(rows < 100);
  // In WAL mode even a DELETE needs room in the WAL: space must be freed outside the index
  // (the cache's content files). Until then writes keep failing cleanly, the same way.
  CHECK(db.exec("DELETE FROM filler").kind() == ErrorKind::kNoSpace);
  CHECK_FALSE(db.in_transaction());
  auto check = db.prepare("PRAGMA integrity_check");
  REQUIRE(check.is_ok());
  REQUIRE(*check->step());
  CHECK(check->text(0) == "ok");
}
