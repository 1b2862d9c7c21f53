// Names through the kernel: directories, symlinks, special files, hard links (refused),
// name limits and error paths, and large directory listings.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// name -> d_type of every entry; fails the test if a name appears twice.
std::map<std::string, unsigned char> list_dir(const std::filesystem::path& dir) {
  DirPtr handle(::opendir(dir.c_str()));
  REQUIRE(handle != nullptr);
  std::map<std::string, unsigned char> seen;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): one DIR, one thread
  while (const dirent* entry = ::readdir(handle.get())) {
    INFO("entry " << entry->d_name);
    CHECK(seen.emplace(entry->d_name, entry->d_type).second);
  }
  return seen;
}

TEST_CASE("mkdir and rmdir, with EEXIST, ENOTEMPTY, ENOTDIR and EISDIR", "[names]") {
  const auto dir = fresh_dir("mkdir");
  const auto sub = dir / "sub";
  REQUIRE(::mkdir(sub.c_str(), 0750) == 0);
  struct stat st {};
  REQUIRE(::stat(sub.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0750);
  CHECK(st.st_nlink == 2);
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK(st.st_nlink == 3);  // ".", its name, and sub's ".."
  CHECK_ERRNO(::mkdir(sub.c_str(), 0755), EEXIST);

  write_file(sub / "f", "x");
  CHECK_ERRNO(::rmdir(sub.c_str()), ENOTEMPTY);
  CHECK_ERRNO(::rmdir((sub / "f").c_str()), ENOTDIR);
  CHECK_ERRNO(::unlink(sub.c_str()), EISDIR);
  REQUIRE(::unlink((sub / "f").c_str()) == 0);
  REQUIRE(::rmdir(sub.c_str()) == 0);
  CHECK_ERRNO(::stat(sub.c_str(), &st), ENOENT);
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK(st.st_nlink == 2);
}

TEST_CASE("symlink and readlink", "[names]") {
  const auto dir = fresh_dir("symlink");
  write_file(dir / "target", "pointed at");
  REQUIRE(::symlink("target", (dir / "link").c_str()) == 0);
  char buf[256] = {};
  const ssize_t n = ::readlink((dir / "link").c_str(), buf, sizeof buf);
  CHECK(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0) == "target");
  struct stat st {};
  REQUIRE(::lstat((dir / "link").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(st.st_size == 6);
  CHECK(read_file(dir / "link") == "pointed at");  // followed by the kernel
  CHECK_ERRNO(::readlink((dir / "target").c_str(), buf, sizeof buf), EINVAL);
  REQUIRE(::symlink("/nowhere/at/all", (dir / "dangling").c_str()) == 0);
  CHECK_ERRNO(::stat((dir / "dangling").c_str(), &st), ENOENT);
  CHECK_ERRNO(::symlink("target", (dir / "link").c_str()), EEXIST);
}

TEST_CASE("link() is refused with EPERM (no hard links)", "[names]") {
  const auto dir = fresh_dir("link");
  write_file(dir / "a", "x");
  CHECK_ERRNO(::link((dir / "a").c_str(), (dir / "b").c_str()), EPERM);
  struct stat st {};
  CHECK_ERRNO(::stat((dir / "b").c_str(), &st), ENOENT);
}

TEST_CASE("mkfifo makes a FIFO the kernel serves", "[names]") {
  const auto fifo = fresh_dir("fifo") / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  struct stat st {};
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK((st.st_mode & 07777) == 0600);
  UniqueFd reader = open_or_fail(fifo, O_RDONLY | O_NONBLOCK);
  UniqueFd writer = open_or_fail(fifo, O_WRONLY | O_NONBLOCK);
  REQUIRE(::write(writer.get(), "ping", 4) == 4);
  char buf[8] = {};
  CHECK(::read(reader.get(), buf, sizeof buf) == 4);
  CHECK(std::string(buf, 4) == "ping");
}

TEST_CASE("names longer than 255 bytes fail with ENAMETOOLONG", "[names]") {
  const auto dir = fresh_dir("name_max");
  const std::string longest(255, 'n');
  write_file(dir / longest, "fits");
  CHECK(read_file(dir / longest) == "fits");
  const std::string too_long(256, 'n');
  CHECK_ERRNO(::open((dir / too_long).c_str(), O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
  CHECK_ERRNO(::mkdir((dir / too_long).c_str(), 0755), ENAMETOOLONG);
  struct stat st {};
  CHECK_ERRNO(::stat((dir / too_long).c_str(), &st), ENAMETOOLONG);
}

TEST_CASE("missing names and files used as directories: ENOENT and ENOTDIR", "[names]") {
  const auto dir = fresh_dir("enoent");
  write_file(dir / "file", "x");
  struct stat st {};
  CHECK_ERRNO(::stat((dir / "missing").c_str(), &st), ENOENT);
  CHECK_ERRNO(::open((dir / "missing").c_str(), O_RDONLY), ENOENT);
  CHECK_ERRNO(::open((dir / "no" / "such" / "file").c_str(), O_WRONLY | O_CREAT, 0644), ENOENT);
  CHECK_ERRNO(::unlink((dir / "missing").c_str()), ENOENT);
  CHECK_ERRNO(::rmdir((dir / "missing").c_str()), ENOENT);
  CHECK_ERRNO(::stat((dir / "file" / "x").c_str(), &st), ENOTDIR);
  CHECK_ERRNO(::mkdir((dir / "file" / "x").c_str(), 0755), ENOTDIR);
  CHECK_ERRNO(::open((dir / "file").c_str(), O_RDONLY | O_DIRECTORY), ENOTDIR);
}

TEST_CASE("readdir lists 2,000 entries, each once, with their types", "[names][readdir]") {
  const auto dir = fresh_dir("readdir");
  constexpr int kFiles = 2000;
  for (int i = 0; i < kFiles; ++i) {
    UniqueFd fd = open_or_fail(dir / fmt::format("file-{:04}", i), O_WRONLY | O_CREAT);
  }
  REQUIRE(::mkdir((dir / "subdir").c_str(), 0755) == 0);
  const auto seen = list_dir(dir);
  CHECK(seen.size() == kFiles + 3);
  CHECK(seen.at(".") == DT_DIR);
  CHECK(seen.at("..") == DT_DIR);
  CHECK(seen.at("subdir") == DT_DIR);
  for (int i = 0; i < kFiles; ++i) {
    const auto it = seen.find(fmt::format("file-{:04}", i));
    REQUIRE(it != seen.end());
    CHECK(it->second == DT_REG);
  }
}

TEST_CASE("removing entries during readdir skips none of the rest", "[names][readdir]") {
  const auto dir = fresh_dir("readdir_unlink");
  constexpr int kFiles = 1500;
  std::set<std::string> expected;
  for (int i = 0; i < kFiles; ++i) {
    expected.insert(fmt::format("entry-{:04}", i));
    UniqueFd fd = open_or_fail(dir / *expected.rbegin(), O_WRONLY | O_CREAT);
  }
  // Cookies that were positions would shift under the removals and skip entries.
  DirPtr handle(::opendir(dir.c_str()));
  REQUIRE(handle != nullptr);
  std::set<std::string> seen;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): one DIR, one thread
  while (const dirent* entry = ::readdir(handle.get())) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    CHECK(seen.insert(name).second);
    REQUIRE(::unlink((dir / name).c_str()) == 0);
  }
  CHECK(seen == expected);
  CHECK(list_dir(dir).size() == 2);
}

}  // namespace
}  // namespace autosync::testing
