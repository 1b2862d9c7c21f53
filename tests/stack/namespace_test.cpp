// Names through the kernel: directories, renames, links, special files, odd names and the
// errors POSIX promises, each checked on the store after a flush.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

using Keys = std::vector<std::string>;

TEST_CASE("an empty directory is a marker object, removed by rmdir", "[dir]") {
  const auto dir = fresh_dir("mkdir");
  REQUIRE(::mkdir((dir.path / "empty").c_str(), 0750) == 0);
  REQUIRE(::mkdir((dir.path / "full").c_str(), 0755) == 0);
  write_file(dir.path / "full" / "f", "x");
  CHECK(S_ISDIR(stat_or_fail(dir.path / "empty").st_mode));
  flush();
  const auto marker = remote_head(dir.key + "empty/");
  REQUIRE(marker.has_value());
  CHECK(marker->size == 0);
  CHECK(remote_meta(dir.key + "empty/").mode == (S_IFDIR | 0750));
  CHECK(remote_body(dir.key + "full/f") == "x");

  REQUIRE(::rmdir((dir.path / "empty").c_str()) == 0);
  flush();
  CHECK(remote_keys(dir.key + "empty").empty());
  CHECK(list_dir(dir.path) == Keys{"full"});
}

TEST_CASE("renaming a file moves its object", "[rename]") {
  const auto dir = fresh_dir("rename-file");
  write_file(dir.path / "a", "content of a");
  flush();
  REQUIRE(::rename((dir.path / "a").c_str(), (dir.path / "b").c_str()) == 0);
  CHECK(read_file(dir.path / "b") == "content of a");
  flush();
  CHECK(remote_keys_under(dir) == Keys{dir.key + "b"});
  CHECK(remote_body(dir.key + "b") == "content of a");
}

TEST_CASE("renaming a file never uploaded uploads it under the new name only", "[rename]") {
  const auto dir = fresh_dir("rename-new");
  write_file(dir.path / "draft", "v1");
  REQUIRE(::rename((dir.path / "draft").c_str(), (dir.path / "final").c_str()) == 0);
  flush();
  CHECK(remote_keys_under(dir) == Keys{dir.key + "final"});
  CHECK(remote_body(dir.key + "final") == "v1");
}

TEST_CASE("a chmod after a rename during the first upload lands on the new name", "[rename]") {
  const auto dir = fresh_dir("rename-uploading");
  auto hold = main_mount().store().hold_puts(dir.key + "draft");
  write_file(dir.path / "draft", "v1");
  REQUIRE(hold->wait_held(std::chrono::seconds(20)));  // the first upload is on the wire
  REQUIRE(::rename((dir.path / "draft").c_str(), (dir.path / "final").c_str()) == 0);
  // The first upload lands at the old name; the upload under the new name waits.
  hold = main_mount().store().hold_puts(dir.key + "final");
  const auto ino = static_cast<index::Ino>(stat_or_fail(dir.path / "final").st_ino);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!main_mount().index().get(ino)->remote && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(main_mount().index().get(ino)->remote.has_value());
  // Journaled at the key the store holds the file under now: the old name.
  REQUIRE(::chmod((dir.path / "final").c_str(), 0600) == 0);
  hold.reset();
  flush();
  CHECK(remote_keys_under(dir) == Keys{dir.key + "final"});
  CHECK(remote_body(dir.key + "final") == "v1");
  CHECK(remote_meta(dir.key + "final").mode == (S_IFREG | 0600));
}

TEST_CASE("renaming over an existing file replaces its object", "[rename]") {
  const auto dir = fresh_dir("rename-over");
  write_file(dir.path / "new", "the new one");
  write_file(dir.path / "old", "the old one, longer");
  flush();
  REQUIRE(::rename((dir.path / "new").c_str(), (dir.path / "old").c_str()) == 0);
  CHECK(read_file(dir.path / "old") == "the new one");
  flush();
  CHECK(remote_keys_under(dir) == Keys{dir.key + "old"});
  CHECK(remote_body(dir.key + "old") == "the new one");
}

TEST_CASE("renaming a non-empty directory moves every object under it", "[rename][dir]") {
  const auto dir = fresh_dir("rename-dir");
  REQUIRE(::mkdir((dir.path / "d").c_str(), 0755) == 0);
  REQUIRE(::mkdir((dir.path / "d" / "sub").c_str(), 0755) == 0);
  REQUIRE(::mkdir((dir.path / "d" / "empty").c_str(), 0755) == 0);
  write_file(dir.path / "d" / "x", "x body");
  write_file(dir.path / "d" / "sub" / "y", "y body");
  flush();
  REQUIRE(::rename((dir.path / "d").c_str(), (dir.path / "e").c_str()) == 0);
  CHECK(read_file(dir.path / "e" / "sub" / "y") == "y body");
  flush();
  auto keys = remote_keys(dir.key);
  CHECK(std::none_of(keys.begin(), keys.end(),
                     [&](const std::string& k) { return k.starts_with(dir.key + "d/"); }));
  CHECK(remote_body(dir.key + "e/x") == "x body");
  CHECK(remote_body(dir.key + "e/sub/y") == "y body");
  CHECK(remote_head(dir.key + "e/empty/").has_value());
  CHECK(list_dir(dir.path / "e") == Keys{"empty", "sub", "x"});
}

TEST_CASE("renaming a directory right after writing into it leaves nothing at the old name",
          "[rename][dir]") {
  const auto dir = fresh_dir("rename-dir-pending");
  REQUIRE(::mkdir((dir.path / "d").c_str(), 0755) == 0);
  write_file(dir.path / "d" / "x", "written just before the rename");
  write_file(dir.path / "loose", "renamed right after its close");
  REQUIRE(::rename((dir.path / "d").c_str(), (dir.path / "e").c_str()) == 0);
  REQUIRE(::rename((dir.path / "loose").c_str(), (dir.path / "e" / "loose").c_str()) == 0);
  flush();
  CHECK(remote_keys_under(dir) == Keys{dir.key + "e/", dir.key + "e/loose", dir.key + "e/x"});
  CHECK(remote_body(dir.key + "e/x") == "written just before the rename");
  CHECK(list_dir(dir.path) == Keys{"e"});
}

TEST_CASE("a symlink is an object whose body is its target", "[symlink]") {
  const auto dir = fresh_dir("symlink");
  write_file(dir.path / "target", "pointed at");
  REQUIRE(::symlink("target", (dir.path / "link").c_str()) == 0);
  REQUIRE(::symlink("../no/such/place", (dir.path / "dangling").c_str()) == 0);
  CHECK(S_ISLNK(lstat_or_fail(dir.path / "link").st_mode));
  char buf[256] = {};
  REQUIRE(::readlink((dir.path / "link").c_str(), buf, sizeof buf - 1) == 6);
  CHECK(std::string(buf) == "target");
  CHECK(read_file(dir.path / "link") == "pointed at");
  flush();
  CHECK(remote_body(dir.key + "link") == "target");
  CHECK(S_ISLNK(remote_meta(dir.key + "link").mode));
  CHECK(remote_body(dir.key + "dangling") == "../no/such/place");
  CHECK(S_ISLNK(remote_meta(dir.key + "dangling").mode));
}

TEST_CASE("a fifo lives in the mount only", "[special]") {
  const auto dir = fresh_dir("fifo");
  REQUIRE(::mkfifo((dir.path / "pipe").c_str(), 0644) == 0);
  CHECK(S_ISFIFO(stat_or_fail(dir.path / "pipe").st_mode));
  CHECK(list_dir(dir.path) == Keys{"pipe"});
  flush();
  CHECK(remote_keys_under(dir).empty());
}

TEST_CASE("hard links are refused with EPERM", "[link]") {
  const auto dir = fresh_dir("hardlink");
  write_file(dir.path / "f", "x");
  CHECK_ERRNO(::link((dir.path / "f").c_str(), (dir.path / "g").c_str()), EPERM);
  struct stat st {};
  CHECK_ERRNO(::stat((dir.path / "g").c_str(), &st), ENOENT);
  CHECK(stat_or_fail(dir.path / "f").st_nlink == 1);
}

TEST_CASE("unicode names are keys in UTF-8", "[names]") {
  const auto dir = fresh_dir("unicode");
  const std::string name = "na\xc3\xafve-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x8e\x89.txt";
  write_file(dir.path / name, "unicode");
  REQUIRE(::mkdir((dir.path / "\xc3\xa9t\xc3\xa9").c_str(), 0755) == 0);
  CHECK(list_dir(dir.path) == Keys{name, "\xc3\xa9t\xc3\xa9"});
  flush();
  CHECK(remote_body(dir.key + name) == "unicode");
  CHECK(remote_head(dir.key + "\xc3\xa9t\xc3\xa9/").has_value());
}

TEST_CASE("255-byte names work, 256 bytes is ENAMETOOLONG", "[names]") {
  const auto dir = fresh_dir("longname");
  const std::string too_long(256, 'n');
  CHECK_ERRNO(::open((dir.path / too_long).c_str(), O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
  CHECK_ERRNO(::mkdir((dir.path / too_long).c_str(), 0755), ENAMETOOLONG);
  if (!backend().takes_255_byte_names()) {
    WARN("255-byte names not tried: s3rver cannot store them (TEST-SERVERS.md)");
    return;
  }
  const std::string longest = std::string(251, 'L') + ".txt";
  write_file(dir.path / longest, "long");
  CHECK(list_dir(dir.path) == Keys{longest});
  flush();
  CHECK(remote_body(dir.key + longest) == "long");
}

TEST_CASE("the errors POSIX promises", "[errors]") {
  const auto dir = fresh_dir("errno");
  write_file(dir.path / "file", "x");
  REQUIRE(::mkdir((dir.path / "dir").c_str(), 0755) == 0);
  write_file(dir.path / "dir" / "child", "y");
  REQUIRE(::mkdir((dir.path / "other").c_str(), 0755) == 0);
  struct stat st {};
  CHECK_ERRNO(::stat((dir.path / "missing").c_str(), &st), ENOENT);
  CHECK_ERRNO(::open((dir.path / "missing").c_str(), O_RDONLY), ENOENT);
  CHECK_ERRNO(::unlink((dir.path / "missing").c_str()), ENOENT);
  CHECK_ERRNO(::mkdir((dir.path / "dir").c_str(), 0755), EEXIST);
  CHECK_ERRNO(::mkdir((dir.path / "file").c_str(), 0755), EEXIST);
  CHECK_ERRNO(::symlink("x", (dir.path / "file").c_str()), EEXIST);
  CHECK_ERRNO(::rmdir((dir.path / "dir").c_str()), ENOTEMPTY);
  CHECK_ERRNO(::rename((dir.path / "other").c_str(), (dir.path / "dir").c_str()), ENOTEMPTY);
  CHECK_ERRNO(::open((dir.path / "file" / "x").c_str(), O_RDONLY), ENOTDIR);
  CHECK_ERRNO(::mkdir((dir.path / "file" / "x").c_str(), 0755), ENOTDIR);
  CHECK_ERRNO(::rmdir((dir.path / "file").c_str()), ENOTDIR);
  CHECK_ERRNO(::open((dir.path / "dir").c_str(), O_WRONLY), EISDIR);
  CHECK_ERRNO(::unlink((dir.path / "dir").c_str()), EISDIR);
  CHECK_ERRNO(::rename((dir.path / "file").c_str(), (dir.path / "dir").c_str()), EISDIR);
  CHECK_ERRNO(::rename((dir.path / "dir").c_str(), (dir.path / "file").c_str()), ENOTDIR);
  flush();
  // Nothing that failed reached the store (a directory keeps the marker mkdir gave it).
  CHECK(remote_keys_under(dir) ==
        Keys{dir.key + "dir/", dir.key + "dir/child", dir.key + "file", dir.key + "other/"});
}

}  // namespace
}  // namespace autosync::testing
