// autosyncctl ls, pin, unpin and evict against a real mount and daemon, in both output
// modes: per-file cache state, pinned files surviving eviction, clean files evicted and
// read back from the store.
#include <catch2/catch.hpp>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;

namespace {

nlohmann::json entry(const CliFixture& f, const std::string& name) {
  const auto listed = json_of(ctl({"ls", "--json", (f.mnt / name).string()}));
  return listed.is_array() && listed.size() == 1 ? listed[0] : nlohmann::json();
}

}  // namespace

TEST_CASE("autosyncctl ls shows cached, dirty, pinned and sync state per file", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  std::filesystem::create_directory(f.mnt / "docs");
  write_file(f.mnt / "docs" / "a.md", "# a\n");
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  const auto listed = ctl({"ls", "--json", (f.mnt / "docs").string()});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const auto entries = json_of(listed);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0]["path"] == "docs/a.md");
  CHECK(entries[0]["state"] == "synced");
  CHECK(entries[0]["dirty"] == false);
  CHECK(entries[0]["pinned"] == false);
  CHECK(entries[0]["cached_percent"] == 100);
  CHECK(entries[0]["remote"]["key"] == "docs/a.md");
  const auto table = ctl({"ls", "--mount", f.mnt.string()});
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out,
             Catch::Contains("CACHED") && Catch::Contains("docs/") && Catch::Contains("synced"));

  const auto missing = ctl({"ls", (f.mnt / "nope").string()});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::StartsWith("autosyncctl: ") && Catch::Contains("nope"));

  // No daemon needed: ls reads the index.
  REQUIRE(f.unmount().exit_code == 0);
  REQUIRE(eventually([&] { return !f.syncd_running(); }, std::chrono::seconds(15)));
  const auto offline = ctl({"ls", "--json", "--cache", f.cache.string(), "docs"});
  INFO(offline.err);
  CHECK(offline.exit_code == 0);
  CHECK(json_of(offline)[0]["path"] == "docs/a.md");
}

TEST_CASE("pin fetches a file and keeps it through evict, unpin lets evict drop it", "[cli][ctl]") {
  CliFixture f;
  const std::string body(3 << 20, 'p');
  write_file(f.bucket / "big.bin", body);
  mount_with_daemon(f);
  const std::string file = (f.mnt / "big.bin").string();
  REQUIRE(std::filesystem::file_size(file) == body.size());  // listed, nothing fetched yet
  CHECK(entry(f, "big.bin")["cached_percent"] == 0);

  const auto pinned = ctl({"pin", file});
  INFO(pinned.err);
  REQUIRE(pinned.exit_code == 0);
  CHECK_THAT(pinned.out, Catch::Contains("pinned 1 files"));
  CHECK(entry(f, "big.bin")["pinned"] == true);
  CHECK(entry(f, "big.bin")["cached_percent"] == 100);

  const auto kept = json_of(ctl({"evict", "--json", file}));
  CHECK(kept["files"] == 0);
  CHECK(kept["skipped"] == 1);
  CHECK(entry(f, "big.bin")["cached_percent"] == 100);

  const auto unpinned = ctl({"unpin", file});
  REQUIRE(unpinned.exit_code == 0);
  CHECK_THAT(unpinned.out, Catch::Contains("unpinned 1 files"));
  const auto evicted = ctl({"evict", (f.mnt).string()});
  INFO(evicted.err);
  REQUIRE(evicted.exit_code == 0);
  CHECK_THAT(evicted.out, Catch::Contains("evicted 1 files"));
  CHECK(entry(f, "big.bin")["cached_percent"] == 0);
  CHECK(entry(f, "big.bin")["pinned"] == false);
  // Read back from the store, whole and right.
  CHECK(read_file(file) == body);

  const auto json_pin = json_of(ctl({"pin", "--json", (f.mnt).string()}));
  CHECK(json_pin["files"] == 1);
  CHECK(json_pin["bytes"] == body.size());
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("evict keeps dirty data, and pin and evict refuse what is not there", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  REQUIRE(ctl({"pause", "--mount", f.mnt.string()}).exit_code == 0);
  write_file(f.mnt / "dirty.txt", "not uploaded yet");
  const auto kept = json_of(ctl({"evict", "--json", (f.mnt / "dirty.txt").string()}));
  CHECK(kept["files"] == 0);
  CHECK(kept["skipped"] == 1);
  CHECK(entry(f, "dirty.txt")["dirty"] == true);
  CHECK(entry(f, "dirty.txt")["state"] == "queued");
  CHECK(read_file(f.mnt / "dirty.txt") == "not uploaded yet");

  const auto pin_missing = ctl({"pin", (f.mnt / "missing").string()});
  CHECK(pin_missing.exit_code == 1);
  CHECK_THAT(pin_missing.err, Catch::StartsWith("autosyncctl: "));
  const auto evict_missing = ctl({"evict", (f.mnt / "missing").string()});
  CHECK(evict_missing.exit_code == 1);
  CHECK_THAT(evict_missing.err, Catch::Contains("missing"));
  CHECK(ctl({"resume", "--mount", f.mnt.string()}).exit_code == 0);
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("gc removes content files no inode uses and keeps the others", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  write_file(f.mnt / "kept.txt", "kept");
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  const auto stray = f.cache / "content" / "3f" / "999999999";  // 999999999 & 0xff = 0xff
  const auto right = f.cache / "content" / "ff" / "999999999";
  std::filesystem::create_directories(right.parent_path());
  write_file(right, "orphan");
  std::filesystem::create_directories(stray.parent_path());
  write_file(stray, "not where the store keeps it");
  const auto table = ctl({"gc", "--mount", f.mnt.string()});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("removed 1 orphaned"));
  CHECK_FALSE(std::filesystem::exists(right));
  CHECK(std::filesystem::exists(stray));  // not a content file: left alone
  CHECK(json_of(ctl({"gc", "--json", "--mount", f.mnt.string()}))["files"] == 0);
  CHECK(read_file(f.mnt / "kept.txt") == "kept");
  REQUIRE(f.unmount().exit_code == 0);
}
