// autosyncctl fsck against a real cache that a mount filled and then left: a deliberately
// damaged cache (a content file deleted, one cut short, an orphan content file, rows that
// break the index's rules) is reported item by item, repaired, checked clean, and the next
// mount reads the right bytes from the store. Lost changes are reported, never dropped.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "core/db/database.h"
#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;
namespace db = autosync::db;

namespace {

db::Database open_index(const CliFixture& f) {
  auto opened = db::Database::open(f.cache / "index.db", db::OpenOptions{});
  REQUIRE(opened.is_ok());
  return std::move(opened).value();
}

void sql(const CliFixture& f, const std::string& statement) {
  auto index = open_index(f);
  const auto done = index.exec(statement);
  INFO(done.to_string());
  REQUIRE(done.is_ok());
}

uint64_t ino_of(const CliFixture& f, const std::string& name) {
  auto index = open_index(f);
  auto stmt = index.prepare("SELECT ino FROM dentries WHERE parent = 1 AND CAST(name AS TEXT) = ?");
  REQUIRE(stmt.is_ok());
  stmt->bind(1, std::string_view(name));
  auto row = stmt->step();
  REQUIRE(row.is_ok());
  REQUIRE(*row);
  return stmt->uint64(0);
}

std::filesystem::path content_of(const CliFixture& f, uint64_t ino) {
  return f.cache / "content" / fmt::format("{:02x}", ino & 0xff) / std::to_string(ino);
}

// Mounts, writes `files` (name = its own content, repeated), waits until they are on the
// store, and unmounts; returns once the daemon has left too.
void fill_and_leave(CliFixture& f, const std::vector<std::string>& files) {
  mount_with_daemon(f);
  for (const auto& name : files)
    write_file(f.mnt / name, name + name + name + name);
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  REQUIRE(f.unmount().exit_code == 0);
  REQUIRE(eventually([&] { return !f.syncd_running(); }, 15s));
}

bool reported(const nlohmann::json& report, const std::string& kind, const std::string& text) {
  for (const auto& p : report["problems"]) {
    if (p["kind"] == kind && std::string(p["what"]).find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("fsck reports a damaged cache, --repair fixes it, the mount reads the store",
          "[cli][ctl]") {
  CliFixture f;
  fill_and_leave(f, {"gone.txt", "short.txt", "sized.txt", "fine.txt"});
  const std::string cache = f.cache.string();
  const auto clean = ctl({"fsck", "--cache", cache});
  INFO(clean.out << clean.err);
  REQUIRE(clean.exit_code == 0);
  CHECK_THAT(clean.out, Catch::Contains("0 problems"));

  std::filesystem::remove(content_of(f, ino_of(f, "gone.txt")));
  std::filesystem::resize_file(content_of(f, ino_of(f, "short.txt")), 3);
  const auto orphan = content_of(f, 999999999);
  std::filesystem::create_directories(orphan.parent_path());
  write_file(orphan, "nobody's");
  sql(f, fmt::format("UPDATE inodes SET size = -5 WHERE ino = {}", ino_of(f, "sized.txt")));
  // Damage no SQLite rule stops once foreign keys are off (another tool, a bad restore).
  sql(f,
      "PRAGMA foreign_keys = OFF;"
      "INSERT INTO journal (op, ino, key, created_ns) VALUES (1, 999999998, 'ghost.txt', 1);"
      "INSERT INTO dentries (parent, name, ino) VALUES (1, CAST('dangling.txt' AS BLOB),"
      " 999999997)");

  const auto found = ctl({"fsck", "--cache", cache, "--json"});
  CHECK(found.exit_code == 1);
  CHECK(one_error_line(found));
  const auto report = json_of(found);
  INFO(report.dump(2));
  CHECK(report["problems"].size() == 6);
  CHECK(reported(report, "missing-content", "gone.txt"));
  CHECK(reported(report, "short-content", "short.txt"));
  CHECK(reported(report, "orphan-content", "999999999"));
  CHECK(reported(report, "negative-size", "-5"));
  CHECK(reported(report, "journal-orphan", "ghost.txt"));
  CHECK(reported(report, "dangling-name", "999999997"));
  const auto table = ctl({"fsck", "--cache", cache});
  CHECK(table.exit_code == 1);
  CHECK_THAT(table.out, Catch::Contains("PROBLEM") && Catch::Contains("short.txt"));

  const auto repaired = ctl({"fsck", "--repair", "--cache", cache, "--json"});
  INFO(repaired.out << repaired.err);
  CHECK(repaired.exit_code == 0);
  for (const auto& p : json_of(repaired)["problems"])
    CHECK(p["repaired"] == true);
  const auto again = ctl({"fsck", "--cache", cache});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("0 problems"));
  CHECK_FALSE(std::filesystem::exists(orphan));

  mount_with_daemon(f);
  CHECK(read_file(f.mnt / "gone.txt") == "gone.txtgone.txtgone.txtgone.txt");
  CHECK(read_file(f.mnt / "short.txt") == "short.txtshort.txtshort.txtshort.txt");
  CHECK(read_file(f.mnt / "sized.txt") == "sized.txtsized.txtsized.txtsized.txt");
  CHECK(read_file(f.mnt / "fine.txt") == "fine.txtfine.txtfine.txtfine.txt");
  CHECK_FALSE(std::filesystem::exists(f.mnt / "dangling.txt"));

  // A mounted cache is checked, never repaired.
  const auto busy = ctl({"fsck", "--repair", "--cache", cache});
  CHECK(busy.exit_code == 1);
  CHECK(one_error_line(busy));
  CHECK_THAT(busy.err, Catch::Contains("mounted"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("fsck reports lost changes loudly and --repair keeps them", "[cli][ctl]") {
  CliFixture f;
  fill_and_leave(f, {"work.txt"});
  const uint64_t ino = ino_of(f, "work.txt");
  // As if the file had been changed and its cached bytes then lost before the upload.
  sql(f, fmt::format("UPDATE inodes SET local_gen = synced_gen + 1 WHERE ino = {}", ino));
  std::filesystem::remove(content_of(f, ino));
  for (const bool repair : {false, true}) {
    std::vector<std::string> args{"fsck", "--cache", f.cache.string(), "--json"};
    if (repair) args.push_back("--repair");
    const auto result = ctl(args);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains("lost changes"));
    const auto report = json_of(result);
    REQUIRE(report["problems"].size() == 1);
    CHECK(report["problems"][0]["kind"] == "lost-data");
    CHECK(report["problems"][0]["data_loss"] == true);
    CHECK(report["problems"][0]["repaired"] == false);
    CHECK_THAT(std::string(report["problems"][0]["what"]),
               Catch::Contains("work.txt") && Catch::Contains("DATA LOSS"));
  }
  const auto table = ctl({"fsck", "--cache", f.cache.string()});
  CHECK_THAT(table.out, Catch::Contains("DATA LOSS"));
}
