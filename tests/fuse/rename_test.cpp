// rename(2) and renameat2(2) through the kernel: files, non-empty directories, replacing,
// RENAME_NOREPLACE, RENAME_EXCHANGE, and POSIX's refusals.
#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_*
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

bool path_exists(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

ino_t inode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_ino;
}

int rename2(const std::filesystem::path& from, const std::filesystem::path& to,
            unsigned int flags) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags);
}

TEST_CASE("rename moves a file, within and across directories", "[rename]") {
  const auto dir = fresh_dir("rename_file");
  REQUIRE(::mkdir((dir / "other").c_str(), 0755) == 0);
  write_file(dir / "a", "content");
  const ino_t ino = inode_of(dir / "a");
  REQUIRE(::rename((dir / "a").c_str(), (dir / "b").c_str()) == 0);
  CHECK_FALSE(path_exists(dir / "a"));
  CHECK(read_file(dir / "b") == "content");
  CHECK(inode_of(dir / "b") == ino);
  REQUIRE(::rename((dir / "b").c_str(), (dir / "other" / "c").c_str()) == 0);
  CHECK_FALSE(path_exists(dir / "b"));
  CHECK(read_file(dir / "other" / "c") == "content");
  CHECK(content_in_vfs(dir / "other" / "c") == "content");
}

TEST_CASE("rename moves a non-empty directory with its contents", "[rename]") {
  const auto dir = fresh_dir("rename_dir");
  REQUIRE(::mkdir((dir / "from").c_str(), 0755) == 0);
  REQUIRE(::mkdir((dir / "from" / "inner").c_str(), 0755) == 0);
  write_file(dir / "from" / "inner" / "f", "deep");
  REQUIRE(::mkdir((dir / "dest").c_str(), 0755) == 0);

  REQUIRE(::rename((dir / "from").c_str(), (dir / "dest" / "moved").c_str()) == 0);
  CHECK_FALSE(path_exists(dir / "from"));
  CHECK(read_file(dir / "dest" / "moved" / "inner" / "f") == "deep");
  CHECK(content_in_vfs(dir / "dest" / "moved" / "inner" / "f") == "deep");
  // ".." follows the move, and link counts follow the subdirectory.
  CHECK(inode_of(dir / "dest" / "moved" / "..") == inode_of(dir / "dest"));
  struct stat st {};
  REQUIRE(::stat((dir / "dest").c_str(), &st) == 0);
  CHECK(st.st_nlink == 3);
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK(st.st_nlink == 3);  // ".", its name, dest's ".."
}

TEST_CASE("rename over an existing file replaces it", "[rename]") {
  const auto dir = fresh_dir("rename_over");
  write_file(dir / "new", "new content");
  write_file(dir / "old", "old content");
  UniqueFd still_open = open_or_fail(dir / "old", O_RDONLY);
  REQUIRE(::rename((dir / "new").c_str(), (dir / "old").c_str()) == 0);
  CHECK_FALSE(path_exists(dir / "new"));
  CHECK(read_file(dir / "old") == "new content");
  // The replaced file lives on for the descriptor that had it open.
  CHECK(pread_some(still_open.get(), 100, 0) == "old content");
}

TEST_CASE("RENAME_NOREPLACE refuses an existing target with EEXIST", "[rename]") {
  const auto dir = fresh_dir("noreplace");
  write_file(dir / "a", "a");
  write_file(dir / "b", "b");
  CHECK_ERRNO(rename2(dir / "a", dir / "b", RENAME_NOREPLACE), EEXIST);
  CHECK(read_file(dir / "a") == "a");
  CHECK(read_file(dir / "b") == "b");
  REQUIRE(rename2(dir / "a", dir / "c", RENAME_NOREPLACE) == 0);
  CHECK(read_file(dir / "c") == "a");
  CHECK_FALSE(path_exists(dir / "a"));
}

TEST_CASE("RENAME_EXCHANGE swaps a file and a directory", "[rename]") {
  const auto dir = fresh_dir("exchange");
  write_file(dir / "file", "data");
  REQUIRE(::mkdir((dir / "sub").c_str(), 0755) == 0);
  REQUIRE(::mkdir((dir / "sub" / "d").c_str(), 0755) == 0);
  write_file(dir / "sub" / "d" / "inside", "in");
  REQUIRE(rename2(dir / "file", dir / "sub" / "d", RENAME_EXCHANGE) == 0);
  CHECK(read_file(dir / "sub" / "d") == "data");
  CHECK(read_file(dir / "file" / "inside") == "in");
  CHECK(inode_of(dir / "file" / "..") == inode_of(dir));
  CHECK_ERRNO(rename2(dir / "file", dir / "missing", RENAME_EXCHANGE), ENOENT);
}

TEST_CASE("rename refuses what POSIX refuses", "[rename]") {
  const auto dir = fresh_dir("rename_refused");
  REQUIRE(::mkdir((dir / "full").c_str(), 0755) == 0);
  write_file(dir / "full" / "f", "x");
  REQUIRE(::mkdir((dir / "empty").c_str(), 0755) == 0);
  REQUIRE(::mkdir((dir / "d").c_str(), 0755) == 0);
  write_file(dir / "file", "x");

  CHECK_ERRNO(::rename((dir / "d").c_str(), (dir / "full").c_str()), ENOTEMPTY);
  CHECK_ERRNO(::rename((dir / "file").c_str(), (dir / "d").c_str()), EISDIR);
  CHECK_ERRNO(::rename((dir / "d").c_str(), (dir / "file").c_str()), ENOTDIR);
  CHECK_ERRNO(::rename((dir / "d").c_str(), (dir / "d" / "inside").c_str()), EINVAL);
  CHECK_ERRNO(::rename((dir / "missing").c_str(), (dir / "x").c_str()), ENOENT);
  // A directory may replace an empty one.
  REQUIRE(::rename((dir / "d").c_str(), (dir / "empty").c_str()) == 0);
  CHECK_FALSE(path_exists(dir / "d"));
  CHECK(path_exists(dir / "empty"));
}

}  // namespace
}  // namespace autosync::testing
