// autosyncctl versions and restore against a real mount and daemon on a local bucket that
// keeps versions (BUCKET/.autosync-versions): three writes through the mount are three
// versions in both output modes; restoring the first makes the mount read its bytes and the
// store hold them; local changes not on the store refuse a restore unless --force; and the
// errors (unknown path, unknown version, a bucket without versions).
#include <catch2/catch.hpp>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;

namespace {

// Writes `text` through the mount and waits until the store has it.
void write_and_flush(const CliFixture& f, const std::string& name, const std::string& text) {
  write_file(f.mnt / name, text);
  const auto flushed = ctl({"flush", (f.mnt / name).string(), "--timeout", "30s"});
  INFO(flushed.err);
  REQUIRE(flushed.exit_code == 0);
  REQUIRE(f.object_is(name, text));
}

}  // namespace

TEST_CASE("versions lists each upload, restore brings an old version back", "[cli][ctl]") {
  CliFixture f;
  std::filesystem::create_directory(f.bucket / ".autosync-versions");
  mount_with_daemon(f);
  const std::string file = (f.mnt / "notes.txt").string();
  write_and_flush(f, "notes.txt", "first draft\n");
  write_and_flush(f, "notes.txt", "second draft, longer\n");
  write_and_flush(f, "notes.txt", "third\n");

  const auto listed = ctl({"versions", "--json", file});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const auto reply = json_of(listed);
  CHECK(reply["store_versions"] == true);
  CHECK(reply["path"] == "notes.txt");
  const auto& versions = reply["versions"];
  REQUIRE(versions.size() == 3);
  CHECK(versions[0]["latest"] == true);
  CHECK(versions[0]["current"] == true);
  CHECK(versions[0]["size"] == 6);
  CHECK(versions[1]["size"] == 21);
  CHECK(versions[2]["size"] == 12);
  for (const auto& v : versions)
    CHECK(v["uploaded_here"] == true);
  const std::string first = versions[2]["version_id"];

  const auto table = ctl({"versions", file});
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("VERSION") && Catch::Contains(first) &&
                            Catch::Contains("current here"));
  CHECK(std::count(table.out.begin(), table.out.end(), '\n') == 4);  // header + 3

  const auto restored = ctl({"restore", file, "--version", first});
  INFO(restored.err);
  REQUIRE(restored.exit_code == 0);
  CHECK_THAT(restored.out, Catch::Contains("restored notes.txt to version " + first));
  CHECK(f.object_is("notes.txt", "first draft\n"));
  // The kernel hears of the change from the daemon's events; they are asynchronous.
  CHECK(eventually([&] { return read_file(file) == "first draft\n"; }, std::chrono::seconds(10)));
  CHECK(read_file(file) == "first draft\n");

  // The restore is a new version on top; the old ones stay.
  const auto after = json_of(ctl({"versions", "--json", file}));
  REQUIRE(after["versions"].size() == 4);
  CHECK(after["versions"][0]["current"] == true);
  CHECK(after["versions"][0]["size"] == 12);

  // The restored file is an ordinary file again: written, it uploads as usual.
  write_and_flush(f, "notes.txt", "fourth\n");
  CHECK(read_file(file) == "fourth\n");
}

TEST_CASE("versions and restore fail with one line on bad input", "[cli][ctl]") {
  CliFixture f;
  std::filesystem::create_directory(f.bucket / ".autosync-versions");
  mount_with_daemon(f);
  const std::string file = (f.mnt / "a.txt").string();
  write_and_flush(f, "a.txt", "one");
  write_and_flush(f, "a.txt", "two");

  const auto unknown_path = ctl({"versions", (f.mnt / "nope.txt").string()});
  CHECK(unknown_path.exit_code == 1);
  CHECK(one_error_line(unknown_path));
  CHECK_THAT(unknown_path.err, Catch::Contains("nope.txt"));

  const auto unknown_version = ctl({"restore", file, "--version", "00000000000000000000"});
  CHECK(unknown_version.exit_code == 1);
  CHECK(one_error_line(unknown_version));
  CHECK_THAT(unknown_version.err, Catch::Contains("has no version 00000000000000000000"));
  CHECK(f.object_is("a.txt", "two"));

  const auto no_path = ctl({"restore", (f.mnt / "nope.txt").string(), "--version", "1"});
  CHECK(no_path.exit_code == 1);
  CHECK(one_error_line(no_path));

  const auto no_version = ctl({"restore", file});
  CHECK(no_version.exit_code == 2);
}

TEST_CASE("on a bucket without versions, versions shows this cache's history", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  const std::string file = (f.mnt / "plain.txt").string();
  write_and_flush(f, "plain.txt", "v1");
  write_and_flush(f, "plain.txt", "v22");

  const auto listed = ctl({"versions", "--json", file});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const auto reply = json_of(listed);
  CHECK(reply["store_versions"] == false);
  REQUIRE(reply["versions"].size() == 2);
  CHECK(reply["versions"][0]["size"] == 3);
  CHECK(reply["versions"][0]["current"] == true);
  CHECK(reply["versions"][1]["size"] == 2);

  const auto table = ctl({"versions", file});
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("keeps no versions"));

  const auto restore = ctl({"restore", file, "--version", "whatever"});
  CHECK(restore.exit_code == 1);
  CHECK(one_error_line(restore));
  CHECK_THAT(restore.err, Catch::Contains("keeps no versions"));
  CHECK(f.object_is("plain.txt", "v22"));
}

TEST_CASE("restore refuses local changes not on the store, unless --force", "[cli][ctl]") {
  CliFixture f;
  std::filesystem::create_directory(f.bucket / ".autosync-versions");
  mount_with_daemon(f);
  const std::string file = (f.mnt / "d.txt").string();
  write_and_flush(f, "d.txt", "old");
  write_and_flush(f, "d.txt", "newer");
  const auto listed = json_of(ctl({"versions", "--json", file}));
  REQUIRE(listed["versions"].size() == 2);
  const std::string old = listed["versions"][1]["version_id"];

  REQUIRE(ctl({"pause", "--mount", f.mnt.string()}).exit_code == 0);
  write_file(f.mnt / "d.txt", "a local edit");  // journaled, held by the pause
  const auto refused = ctl({"restore", file, "--version", old});
  CHECK(refused.exit_code == 1);
  CHECK(one_error_line(refused));
  CHECK_THAT(refused.err, Catch::Contains("local changes") && Catch::Contains("--force"));
  CHECK(f.object_is("d.txt", "newer"));

  const auto forced = ctl({"restore", file, "--version", old, "--force"});
  INFO(forced.err);
  REQUIRE(forced.exit_code == 0);
  CHECK(f.object_is("d.txt", "old"));
  CHECK(eventually([&] { return read_file(file) == "old"; }, std::chrono::seconds(10)));
  REQUIRE(ctl({"resume", "--mount", f.mnt.string()}).exit_code == 0);
  // The local edit was dropped: nothing is left to upload over the restored version.
  REQUIRE(ctl({"flush", file, "--timeout", "30s"}).exit_code == 0);
  CHECK(f.object_is("d.txt", "old"));
  CHECK(read_file(file) == "old");
}

TEST_CASE("a deleted file comes back with restore", "[cli][ctl]") {
  CliFixture f;
  std::filesystem::create_directory(f.bucket / ".autosync-versions");
  mount_with_daemon(f);
  const std::filesystem::path file = f.mnt / "gone.txt";
  write_and_flush(f, "gone.txt", "keep me");
  write_and_flush(f, "gone.txt", "and me");
  std::filesystem::remove(file);
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  REQUIRE_FALSE(f.object("gone.txt"));

  const auto listed = ctl({"versions", "--json", file.string()});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const auto versions = json_of(listed)["versions"];
  REQUIRE(versions.size() == 3);
  CHECK(versions[0]["delete_marker"] == true);
  const std::string first = versions[2]["version_id"];

  const auto restored = ctl({"restore", file.string(), "--version", first});
  INFO(restored.err);
  REQUIRE(restored.exit_code == 0);
  CHECK(f.object_is("gone.txt", "keep me"));
  CHECK(eventually([&] { return std::filesystem::exists(file) && read_file(file) == "keep me"; },
                   std::chrono::seconds(15)));
}
