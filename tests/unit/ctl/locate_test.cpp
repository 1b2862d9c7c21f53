// How autosyncctl finds a cache: mountinfo lines, the records a mount publishes, and
// paths made mount-relative.
#include "tools/ctl/locate.h"

#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/cachedir/mount_registry.h"
#include "tests/support/temp_dir.h"

using namespace autosync;
using namespace autosync::ctl;

TEST_CASE("autosync mounts are read from mountinfo, escapes undone", "[ctl]") {
  const std::string mountinfo =
      "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "50 22 0:45 / /mnt/bucket rw,nosuid,nodev shared:30 - fuse.autosyncfs autosync rw\n"
      "51 22 0:46 / /mnt/with\\040space rw - fuse.autosyncfs autosync rw\n"
      "52 22 0:47 / /mnt/sshfs rw - fuse.sshfs host: rw\n"
      "53 22 0:48 / /mnt/opt rw shared:5 master:2 - fuse.autosyncfs autosync rw\n"
      "broken line\n";
  const auto mounts = autosync_mounts_in(mountinfo);
  REQUIRE(mounts.size() == 3);
  CHECK(mounts[0] == "/mnt/bucket");
  CHECK(mounts[1] == "/mnt/with space");
  CHECK(mounts[2] == "/mnt/opt");
}

TEST_CASE("paths become mount-relative, outside the mount is an error", "[ctl]") {
  const Target mounted{.cache_dir = "/c", .mountpoint = std::filesystem::path("/mnt/b")};
  CHECK(mount_relative(mounted, "/mnt/b").value() == "");
  CHECK(mount_relative(mounted, "/mnt/b/").value() == "");
  CHECK(mount_relative(mounted, "/mnt/b/x/y.txt").value() == "x/y.txt");
  CHECK(mount_relative(mounted, "/mnt/b/x/../z").value() == "z");
  CHECK_FALSE(mount_relative(mounted, "/mnt/bb/x").is_ok());
  CHECK_FALSE(mount_relative(mounted, "/etc").is_ok());
  const Target unmounted{.cache_dir = "/c", .mountpoint = std::nullopt};
  CHECK(mount_relative(unmounted, "x/y/").value() == "x/y");
  CHECK(mount_relative(unmounted, "/x").value() == "x");
  CHECK(mount_relative(unmounted, ".").value() == "");
}

TEST_CASE("registry names escape the mountpoint into one file name", "[ctl]") {
  CHECK(cachedir::registry_name("/mnt/my bucket") == "%2Fmnt%2Fmy%20bucket.json");
  CHECK(cachedir::registry_name("/a-b_c.d") == "%2Fa-b_c.d.json");
  CHECK(cachedir::registry_name("/a/b") != cachedir::registry_name("/a_b"));
}

// As root the registry is /run/autosync/mounts, else $XDG_RUNTIME_DIR's (a temp dir here).
TEST_CASE("a published mount is found by its mountpoint and withdrawn at the end", "[ctl]") {
  autosync::testing::TempDir tmp;
  const auto mnt = tmp.path() / "mnt";
  const char* old = ::getenv("XDG_RUNTIME_DIR");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("XDG_RUNTIME_DIR", tmp.path().c_str(), 1);
  const cachedir::Paths paths(tmp.path() / "cache");
  std::filesystem::create_directories(paths.root);
  {
    auto published = cachedir::PublishedMount::publish(
        paths,
        {.mountpoint = mnt, .remote = "file:///b", .pid = ::getpid(), .cache_dir = paths.root});
    REQUIRE(published.is_ok());
    CHECK(cachedir::read_mount_info(paths).value().remote == "file:///b");
    auto found = cachedir::find_registered(mnt);
    REQUIRE(found.is_ok());
    CHECK(found->cache_dir == paths.root);
    CHECK(found->pid == ::getpid());
  }
  CHECK_FALSE(cachedir::read_mount_info(paths).is_ok());
  CHECK_FALSE(cachedir::find_registered(mnt).is_ok());
  if (old != nullptr) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
}

TEST_CASE("mount records round-trip through JSON and bad ones are refused", "[ctl]") {
  const cachedir::MountRecord record{
      .mountpoint = "/m", .remote = "s3://b/p/", .pid = 42, .cache_dir = "/var/cache/x"};
  auto parsed = cachedir::parse_mount_record(cachedir::to_json(record), "test");
  REQUIRE(parsed.is_ok());
  CHECK(parsed->mountpoint == record.mountpoint);
  CHECK(parsed->remote == record.remote);
  CHECK(parsed->pid == 42);
  CHECK(parsed->cache_dir == record.cache_dir);
  CHECK_FALSE(cachedir::parse_mount_record("{}", "test").is_ok());
  CHECK_FALSE(cachedir::parse_mount_record("nope", "test").is_ok());
}

TEST_CASE("a cache directory given with --cache is used as is", "[ctl]") {
  autosync::testing::TempDir tmp;
  auto target = find_target({.cache = tmp.path(), .mount = std::nullopt, .path = std::nullopt});
  REQUIRE(target.is_ok());
  CHECK(target->cache_dir == tmp.path());
  CHECK_FALSE(target->mountpoint.has_value());
  CHECK_FALSE(
      find_target({.cache = tmp.path() / "none", .mount = std::nullopt, .path = std::nullopt})
          .is_ok());
  CHECK_FALSE(
      find_target({.cache = std::nullopt, .mount = tmp.path(), .path = std::nullopt}).is_ok());
}
