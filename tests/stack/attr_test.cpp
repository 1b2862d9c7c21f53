// Attributes through the kernel: chmod, chown and utimens become s3fs-style metadata on the
// object (x-amz-meta-mode/uid/gid/mtime); user.* xattrs and statfs are served by the mount.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;

TEST_CASE("chmod, chown and utimens become the object's metadata", "[attr]") {
  const auto dir = fresh_dir("attrs");
  write_file(dir.path / "f", "meta");
  flush();
  const auto f = dir.path / "f";
  REQUIRE(::chmod(f.c_str(), 0600) == 0);
  REQUIRE(::chown(f.c_str(), 1234, 5678) == 0);
  const timespec times[2] = {{1500000000, 0}, {1600000000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, f.c_str(), times, 0) == 0);
  const struct stat st = stat_or_fail(f);
  CHECK(st.st_mode == (S_IFREG | 0600));
  CHECK(st.st_uid == 1234);
  CHECK(st.st_gid == 5678);
  CHECK(st.st_mtim.tv_sec == 1600000000);
  flush();
  const auto meta = remote_meta(dir.key + "f");
  CHECK(meta.mode == (S_IFREG | 0600));
  CHECK(meta.uid == 1234);
  CHECK(meta.gid == 5678);
  CHECK(meta.mtime_ns == 1600000000 * kNsPerSec);
  CHECK(remote_body(dir.key + "f") == "meta");  // a metadata change keeps the data
}

TEST_CASE("attributes set before the first upload travel with it", "[attr]") {
  const auto dir = fresh_dir("attrs-new");
  const auto f = dir.path / "f";
  write_file(f, "fresh");
  REQUIRE(::chmod(f.c_str(), 0640) == 0);
  REQUIRE(::chown(f.c_str(), 42, 43) == 0);
  flush();
  const auto meta = remote_meta(dir.key + "f");
  CHECK(meta.mode == (S_IFREG | 0640));
  CHECK(meta.uid == 42);
  CHECK(meta.gid == 43);
  CHECK(remote_body(dir.key + "f") == "fresh");
}

TEST_CASE("chmod of a directory changes its marker's metadata", "[attr][dir]") {
  const auto dir = fresh_dir("attrs-dir");
  REQUIRE(::mkdir((dir.path / "d").c_str(), 0755) == 0);
  flush();
  REQUIRE(::chmod((dir.path / "d").c_str(), 0700) == 0);
  CHECK(stat_or_fail(dir.path / "d").st_mode == (S_IFDIR | 0700));
  flush();
  CHECK(remote_meta(dir.key + "d/").mode == (S_IFDIR | 0700));
}

TEST_CASE("chmod of a file in a directory renamed just before lands on the moved object",
          "[attr][rename]") {
  const auto dir = fresh_dir("attrs-moved");
  REQUIRE(::mkdir((dir.path / "d").c_str(), 0755) == 0);
  write_file(dir.path / "d" / "f", "moved, then chmodded");
  write_file(dir.path / "g", "renamed, then chmodded");
  flush();
  REQUIRE(::rename((dir.path / "d").c_str(), (dir.path / "e").c_str()) == 0);
  REQUIRE(::chmod((dir.path / "e" / "f").c_str(), 0600) == 0);
  REQUIRE(::rename((dir.path / "g").c_str(), (dir.path / "h").c_str()) == 0);
  REQUIRE(::chmod((dir.path / "h").c_str(), 0640) == 0);
  flush();
  CHECK(remote_keys_under(dir) ==
        std::vector<std::string>{dir.key + "e/", dir.key + "e/f", dir.key + "h"});
  CHECK(remote_meta(dir.key + "e/f").mode == (S_IFREG | 0600));
  CHECK(remote_body(dir.key + "e/f") == "moved, then chmodded");
  CHECK(remote_meta(dir.key + "h").mode == (S_IFREG | 0640));
  CHECK(remote_body(dir.key + "h") == "renamed, then chmodded");
}

TEST_CASE("user.* extended attributes are kept", "[xattr]") {
  const auto dir = fresh_dir("xattr");
  const auto f = dir.path / "f";
  write_file(f, "x");
  REQUIRE(::setxattr(f.c_str(), "user.color", "blue", 4, 0) == 0);
  REQUIRE(::setxattr(f.c_str(), "user.size", "L", 1, 0) == 0);
  char value[64] = {};
  REQUIRE(::getxattr(f.c_str(), "user.color", value, sizeof value) == 4);
  CHECK(std::string(value, 4) == "blue");
  char names[256] = {};
  const ssize_t n = ::listxattr(f.c_str(), names, sizeof names);
  REQUIRE(n > 0);
  CHECK(std::string(names, static_cast<size_t>(n)) == std::string("user.color\0user.size\0", 21));
  CHECK_ERRNO(::setxattr(f.c_str(), "user.color", "red", 3, XATTR_CREATE), EEXIST);
  REQUIRE(::removexattr(f.c_str(), "user.color") == 0);
  CHECK_ERRNO(::getxattr(f.c_str(), "user.color", value, sizeof value), ENODATA);
  CHECK_ERRNO(::removexattr(f.c_str(), "user.color"), ENODATA);
  // Only user.* is kept; other namespaces are ENOTSUP, which `ls -l` remembers per mount.
  CHECK_ERRNO(::setxattr(f.c_str(), "trusted.x", "1", 1, 0), ENOTSUP);
  CHECK_ERRNO(::getxattr(f.c_str(), "security.selinux", value, sizeof value), ENOTSUP);
  CHECK_ERRNO(::getxattr(f.c_str(), "system.posix_acl_access", value, sizeof value), ENOTSUP);
  flush();
  CHECK(remote_body(dir.key + "f") == "x");
}

TEST_CASE("statfs answers with the cache's space and 255-byte names", "[statfs]") {
  struct statvfs vfs {};
  REQUIRE(::statvfs(main_mount().root().c_str(), &vfs) == 0);
  CHECK(vfs.f_namemax == 255);
  CHECK(vfs.f_bsize > 0);
  CHECK(vfs.f_blocks > 0);
  CHECK(vfs.f_bavail <= vfs.f_blocks);
}

}  // namespace
}  // namespace autosync::testing
