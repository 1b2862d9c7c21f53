// Interop with s3fs-fuse on one s3rver bucket (run by stack.s3fs_interop): what s3fs writes
// mounts through our stack with its contents, modes and symlinks, and what our stack writes
// mounts through s3fs the same way. Hidden from the plain runs; main() picks them with
// --s3fs-interop (and skips, saying so, when s3fs is not installed).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/stack/s3fs_mount.h"
#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

using Keys = std::vector<std::string>;

std::unique_ptr<S3fsMount> mount_s3fs(const TempDir& mountpoint) {
  REQUIRE(backend().name() == "s3");
  auto mount = S3fsMount::mount(kStackBucket, backend().config().s3.endpoint, mountpoint.path());
  INFO(mount.status().to_string());
  REQUIRE(mount.is_ok());
  return std::move(mount).value();
}

std::string link_target(const std::filesystem::path& path) {
  char buf[256] = {};
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  INFO("readlink " << path << ": " << errno_name(errno));
  REQUIRE(n >= 0);
  return std::string(buf, static_cast<size_t>(n));
}

TEST_CASE("what s3fs writes mounts through the stack", "[.s3fs]") {
  const std::string top = "from-s3fs";
  {
    TempDir mountpoint;
    auto s3fs = mount_s3fs(mountpoint);
    const auto root = mountpoint.path() / top;
    REQUIRE(::mkdir(root.c_str(), 0755) == 0);
    REQUIRE(::mkdir((root / "sub").c_str(), 0750) == 0);
    REQUIRE(::mkdir((root / "empty").c_str(), 0755) == 0);
    write_file(root / "plain", "written by s3fs");
    write_file(root / "sub" / "nested", "nested by s3fs");
    write_file(root / "private", "mode 0600");
    REQUIRE(::chmod((root / "private").c_str(), 0600) == 0);
    REQUIRE(::symlink("sub/nested", (root / "link").c_str()) == 0);
    s3fs->unmount();
  }
  TempDir cache, mountpoint;
  const auto stack_mount = open_mount(cache.path(), mountpoint.path());
  const auto root = mountpoint.path() / top;
  CHECK(list_dir(root) == Keys{"empty", "link", "plain", "private", "sub"});
  CHECK(read_file(root / "plain") == "written by s3fs");
  CHECK(read_file(root / "sub" / "nested") == "nested by s3fs");
  CHECK(stat_or_fail(root / "private").st_mode == (S_IFREG | 0600));
  CHECK(stat_or_fail(root / "plain").st_mode == (S_IFREG | 0644));
  CHECK(stat_or_fail(root / "sub").st_mode == (S_IFDIR | 0750));
  CHECK(S_ISDIR(stat_or_fail(root / "empty").st_mode));
  CHECK(S_ISLNK(lstat_or_fail(root / "link").st_mode));
  CHECK(link_target(root / "link") == "sub/nested");
  CHECK(read_file(root / "link") == "nested by s3fs");
}

TEST_CASE("what the stack writes mounts through s3fs", "[.s3fs]") {
  const auto dir = fresh_dir("from-stack");
  REQUIRE(::mkdir((dir.path / "sub").c_str(), 0750) == 0);
  REQUIRE(::mkdir((dir.path / "empty").c_str(), 0755) == 0);
  write_file(dir.path / "plain", "written by the stack");
  write_file(dir.path / "sub" / "nested", "nested by the stack");
  write_file(dir.path / "private", "mode 0640");
  REQUIRE(::chmod((dir.path / "private").c_str(), 0640) == 0);
  REQUIRE(::symlink("sub/nested", (dir.path / "link").c_str()) == 0);
  flush();

  TempDir mountpoint;
  auto s3fs = mount_s3fs(mountpoint);
  const auto root = mountpoint.path() / dir.path.filename();
  CHECK(list_dir(root) == Keys{"empty", "link", "plain", "private", "sub"});
  CHECK(read_file(root / "plain") == "written by the stack");
  CHECK(read_file(root / "sub" / "nested") == "nested by the stack");
  CHECK(stat_or_fail(root / "private").st_mode == (S_IFREG | 0640));
  CHECK(stat_or_fail(root / "plain").st_mode == (S_IFREG | 0644));
  CHECK(stat_or_fail(root / "sub").st_mode == (S_IFDIR | 0750));
  CHECK(S_ISDIR(stat_or_fail(root / "empty").st_mode));
  CHECK(S_ISLNK(lstat_or_fail(root / "link").st_mode));
  CHECK(link_target(root / "link") == "sub/nested");
  CHECK(read_file(root / "link") == "nested by the stack");
}

}  // namespace
}  // namespace autosync::testing
