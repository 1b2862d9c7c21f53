// /etc/fstab's ways in: mount -t fuse.autosyncfs (through mount.fuse3) and mount.autosyncfs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/cli/cli_fixture.h"

using namespace autosync::testing;

// mount(8) runs mount.fuse3 for fuse.* types, which runs the program from PATH; mount(8)
// itself resets PATH for helpers, so here mount.fuse3 is run the way mount(8) runs it.
TEST_CASE("mount.fuse3 mounts type fuse.autosyncfs and umount unmounts", "[cli]") {
  CliFixture f;
  const std::string path = program("autosyncfs").parent_path().string() + ":" +
                           (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const auto result = run({"/sbin/mount.fuse3", f.remote(), f.mnt.string(), "-t", "fuse.autosyncfs",
                           "-o", f.cache_option() + ",noatime,_netdev"},
                          {{"PATH", path}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(f.mounted());
  write_file(f.mnt / "via-fstab.txt", "fstab");
  CHECK(eventually([&] { return f.object_is("via-fstab.txt", "fstab"); }));
  CHECK(run({"/bin/umount", f.mnt.string()}).exit_code == 0);
  CHECK_FALSE(f.mounted());
}

TEST_CASE("mount.autosyncfs speaks mount(8)'s helper syntax: -f is a fake mount", "[cli]") {
  CliFixture f;
  const auto helper = f.tmp.path() / "mount.autosyncfs";
  std::filesystem::create_symlink(program("autosyncfs"), helper);
  const auto fake = run(
      {helper.string(), f.remote(), f.mnt.string(), "-n", "-f", "-o", f.cache_option() + ",rw"});
  INFO(fake.err);
  CHECK(fake.exit_code == 0);
  CHECK_FALSE(f.mounted());
  const auto real =
      run({helper.string(), f.remote(), f.mnt.string(), "-n", "-o", f.cache_option()});
  INFO(real.err);
  CHECK(real.exit_code == 0);
  CHECK(f.mounted());
  CHECK(f.unmount().exit_code == 0);
}
