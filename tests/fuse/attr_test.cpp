// Attributes through the kernel: chmod, chown, utimensat, user.* extended attributes,
// statfs, and how the mount presents itself.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

struct stat stat_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

TEST_CASE("chmod changes the permission bits only", "[attr]") {
  const auto file = fresh_dir("chmod") / "f";
  write_file(file, "x");
  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  CHECK((stat_of(file).st_mode & 07777) == 0600);
  CHECK(S_ISREG(stat_of(file).st_mode));
  UniqueFd fd = open_or_fail(file, O_RDONLY);
  REQUIRE(::fchmod(fd.get(), 04751) == 0);
  CHECK((stat_of(file).st_mode & 07777) == 04751);
}

TEST_CASE("chown changes owner and group", "[attr]") {
  const auto file = fresh_dir("chown") / "f";
  write_file(file, "x");
  REQUIRE(::chown(file.c_str(), 1234, 5678) == 0);
  CHECK(stat_of(file).st_uid == 1234);
  CHECK(stat_of(file).st_gid == 5678);
  REQUIRE(::chown(file.c_str(), static_cast<uid_t>(-1), 42) == 0);  // group only
  CHECK(stat_of(file).st_uid == 1234);
  CHECK(stat_of(file).st_gid == 42);
  REQUIRE(::lchown(file.c_str(), 0, 0) == 0);
  CHECK(stat_of(file).st_uid == 0);
}

TEST_CASE("utimensat sets, keeps and refreshes times", "[attr]") {
  const auto file = fresh_dir("utimens") / "f";
  write_file(file, "x");
  struct timespec times[2] = {{1'000'000'000, 123'456'789}, {1'200'000'000, 987'654'321}};
  REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
  struct stat st = stat_of(file);
  CHECK(st.st_atim.tv_sec == 1'000'000'000);
  CHECK(st.st_atim.tv_nsec == 123'456'789);
  CHECK(st.st_mtim.tv_sec == 1'200'000'000);
  CHECK(st.st_mtim.tv_nsec == 987'654'321);

  // UTIME_OMIT keeps mtime; UTIME_NOW sets atime to about now.
  struct timespec now_and_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  const time_t before = ::time(nullptr);
  REQUIRE(::utimensat(AT_FDCWD, file.c_str(), now_and_omit, 0) == 0);
  st = stat_of(file);
  CHECK(st.st_atim.tv_sec >= before - 1);
  CHECK(st.st_atim.tv_sec <= ::time(nullptr) + 1);
  CHECK(st.st_mtim.tv_sec == 1'200'000'000);

  UniqueFd fd = open_or_fail(file, O_RDWR);
  struct timespec both_now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  REQUIRE(::futimens(fd.get(), both_now) == 0);
  CHECK(stat_of(file).st_mtim.tv_sec >= before - 1);
}

TEST_CASE("a write updates mtime and size", "[attr]") {
  const auto file = fresh_dir("mtime") / "f";
  write_file(file, "x");
  struct timespec old[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, file.c_str(), old, 0) == 0);
  UniqueFd fd = open_or_fail(file, O_WRONLY);
  pwrite_all(fd.get(), "more", 1);
  REQUIRE(fd.close("close").is_ok());
  const struct stat st = stat_of(file);
  CHECK(st.st_size == 5);
  CHECK(st.st_mtim.tv_sec > 1'000'000'000);
}

TEST_CASE("user.* extended attributes: set, get, list, remove", "[xattr]") {
  const auto file = fresh_dir("xattr") / "f";
  write_file(file, "x");
  const char* path = file.c_str();
  REQUIRE(::setxattr(path, "user.colour", "blue", 4, 0) == 0);
  REQUIRE(::setxattr(path, "user.empty", "", 0, 0) == 0);

  CHECK(::getxattr(path, "user.colour", nullptr, 0) == 4);  // size probe
  char value[16] = {};
  CHECK(::getxattr(path, "user.colour", value, sizeof value) == 4);
  CHECK(std::string(value, 4) == "blue");
  CHECK_ERRNO(::getxattr(path, "user.colour", value, 2), ERANGE);
  CHECK(::getxattr(path, "user.empty", value, sizeof value) == 0);
  CHECK_ERRNO(::getxattr(path, "user.missing", value, sizeof value), ENODATA);

  const std::string names("user.colour\0user.empty\0", 23);
  CHECK(::listxattr(path, nullptr, 0) == static_cast<ssize_t>(names.size()));
  char list[64] = {};
  REQUIRE(::listxattr(path, list, sizeof list) == static_cast<ssize_t>(names.size()));
  CHECK(std::string(list, names.size()) == names);
  CHECK_ERRNO(::listxattr(path, list, 5), ERANGE);

  CHECK_ERRNO(::setxattr(path, "user.colour", "red", 3, XATTR_CREATE), EEXIST);
  CHECK_ERRNO(::setxattr(path, "user.new", "v", 1, XATTR_REPLACE), ENODATA);
  REQUIRE(::setxattr(path, "user.colour", "red", 3, XATTR_REPLACE) == 0);
  CHECK(::getxattr(path, "user.colour", value, sizeof value) == 3);

  REQUIRE(::removexattr(path, "user.colour") == 0);
  CHECK_ERRNO(::getxattr(path, "user.colour", value, sizeof value), ENODATA);
  CHECK_ERRNO(::removexattr(path, "user.colour"), ENODATA);
  CHECK(::listxattr(path, list, sizeof list) == 11);  // "user.empty\0"
}

// ENOTSUP, as a local file system mounted without ACLs or labels answers: `ls -l` then stops
// asking for the SELinux label and the ACL of every entry.
TEST_CASE("extended attributes outside user.* are not supported (ENOTSUP)", "[xattr]") {
  const auto file = fresh_dir("xattr_ns") / "f";
  write_file(file, "x");
  CHECK_ERRNO(::setxattr(file.c_str(), "trusted.secret", "v", 1, 0), ENOTSUP);
  char value[8];
  for (const char* name : {"trusted.secret", "security.selinux", "system.posix_acl_access"})
    CHECK_ERRNO(::getxattr(file.c_str(), name, value, sizeof value), ENOTSUP);
}

TEST_CASE("statfs reports the Vfs's numbers", "[attr]") {
  struct statfs st {};
  REQUIRE(::statfs(fuse_mount().root().c_str(), &st) == 0);
  CHECK(st.f_type == 0x65735546);  // FUSE_SUPER_MAGIC
  CHECK(st.f_bsize == 4096);
  CHECK(st.f_namelen == 255);
  CHECK(static_cast<uint64_t>(st.f_blocks) == MemoryVfs::kCapacityBytes / 4096);
  CHECK(st.f_bfree <= st.f_blocks);
  CHECK(static_cast<uint64_t>(st.f_files) == MemoryVfs::kMaxInodes);
  CHECK(st.f_ffree < st.f_files);
}

TEST_CASE("the writeback cache is on exactly when asked for", "[attr]") {
  write_file(fresh_dir("writeback") / "f", "x");  // serving has begun
  CHECK(fuse_mount().session().writeback_cache_active() == fuse_mount().writeback_cache());
}

TEST_CASE("the mount shows its fsname and subtype", "[attr]") {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, mountpoint, type, rest;
  bool found = false;
  while (mounts >> device >> mountpoint >> type && std::getline(mounts, rest)) {
    if (mountpoint != fuse_mount().root().string()) continue;
    found = true;
    CHECK(device == test_fsname());
    CHECK(type == "fuse.autosyncfs");
  }
  CHECK(found);
}

}  // namespace
}  // namespace autosync::testing
