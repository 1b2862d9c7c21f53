// autosyncfs and autosyncd as a user runs them: background mount, uploads through the
// daemon, unmount, the daemon's restart and its idle exit, the journal outliving a daemon.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "core/process/instance_lock.h"
#include "tests/cli/cli_fixture.h"

using namespace autosync::testing;
using autosync::process::InstanceLock;
using namespace std::chrono_literals;

TEST_CASE("autosyncfs mounts in the background and autosyncd uploads what is written", "[cli]") {
  CliFixture f;
  const auto mounted = f.mount();
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  CHECK(mounted.err.empty());
  CHECK(mount_type(f.mnt) == std::optional<std::string>("fuse.autosyncfs"));
  REQUIRE(eventually([&] { return f.syncd_running(); }));

  write_file(f.mnt / "hello.txt", "hello, bucket\n");
  std::filesystem::create_directory(f.mnt / "docs");
  write_file(f.mnt / "docs" / "a.md", "# a\n");
  CHECK(eventually([&] { return f.object_is("hello.txt", "hello, bucket\n"); }));
  CHECK(eventually([&] { return f.object_is("docs/a.md", "# a\n"); }));
  CHECK(read_file(f.mnt / "hello.txt") == "hello, bucket\n");

  REQUIRE(f.unmount().exit_code == 0);
  CHECK_FALSE(f.mounted());
  // No mount, nothing pending: the daemon leaves after sync.idle_exit (1s here).
  CHECK(eventually([&] { return !f.syncd_running(); }, 15s));
}

TEST_CASE("a file closed just before the unmount is still uploaded after it", "[cli]") {
  CliFixture f;
  REQUIRE(f.mount().exit_code == 0);
  const std::string big(8 << 20, 'x');
  write_file(f.mnt / "last.bin", big);
  REQUIRE(f.unmount().exit_code == 0);
  CHECK(eventually([&] { return f.object_is("last.bin", big); }, 30s));
}

TEST_CASE("the mount starts a new autosyncd when its daemon dies", "[cli]") {
  CliFixture f;
  REQUIRE(f.mount().exit_code == 0);
  REQUIRE(eventually([&] { return f.syncd_running(); }));
  const auto first = InstanceLock::holder(f.cache / "syncd.lock");
  REQUIRE(first.has_value());
  REQUIRE(::kill(*first, SIGKILL) == 0);
  CHECK(eventually([&] {
    const auto now = InstanceLock::holder(f.cache / "syncd.lock");
    return f.syncd_running() && now && *now != *first;
  }));
  write_file(f.mnt / "after.txt", "after the crash");
  CHECK(eventually([&] { return f.object_is("after.txt", "after the crash"); }));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("uploads wait in the journal while no autosyncd runs, and go once one does", "[cli]") {
  CliFixture f;
  // A daemon that exits at once: the mount works, nothing is uploaded.
  REQUIRE(f.mount({}, {{"AUTOSYNCD", "/bin/true"}}).exit_code == 0);
  write_file(f.mnt / "queued.txt", "queued");
  std::filesystem::create_directory(f.mnt / "queued-dir");
  REQUIRE(f.unmount().exit_code == 0);
  CHECK_FALSE(f.object("queued.txt").has_value());
  // The unmount says what is still to upload (in the log: this mount runs in the background).
  CHECK(eventually([&] {
    return read_file(f.cache / "autosyncfs.log").find("not on the store yet") != std::string::npos;
  }));

  const auto daemon = run(
      {program("autosyncd").string(), f.remote(), "-o", f.cache_option(), "--idle-exit", "500ms"});
  INFO(daemon.err);
  CHECK(daemon.exit_code == 0);
  CHECK(f.object_is("queued.txt", "queued"));
  CHECK(std::filesystem::is_directory(f.bucket / "queued-dir"));
}

TEST_CASE("autosyncfs -f serves in the foreground until SIGTERM, then unmounts", "[cli]") {
  CliFixture f;
  Command foreground(f.mount_command({"-f"}));
  REQUIRE(eventually([&] { return f.mounted(); }));
  write_file(f.mnt / "fg.txt", "foreground");
  REQUIRE(::kill(foreground.pid(), SIGTERM) == 0);
  const auto result = foreground.wait(20s);
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(f.mounted());
  CHECK(eventually([&] { return f.object_is("fg.txt", "foreground"); }));
}

TEST_CASE("a remount on the same cache serves what was written", "[cli]") {
  CliFixture f;
  REQUIRE(f.mount().exit_code == 0);
  write_file(f.mnt / "kept.txt", "kept");
  REQUIRE(eventually([&] { return f.object_is("kept.txt", "kept"); }));
  REQUIRE(f.unmount().exit_code == 0);
  REQUIRE(f.mount().exit_code == 0);
  CHECK(read_file(f.mnt / "kept.txt") == "kept");
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a write not yet journaled when the mount was killed is uploaded after a remount",
          "[cli]") {
  CliFixture f;
  // Without the kernel's write-back cache, write(2) reaches the mount before it returns; with
  // it, unflushed pages die with the mount as they die with any file system that crashes.
  REQUIRE(f.mount({"-o", "fuse.writeback_cache=false"}).exit_code == 0);
  const int fd = ::open((f.mnt / "crash.txt").c_str(), O_CREAT | O_WRONLY, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "survives", 8) == 8);  // in the cache; the upload waits for close
  const auto mount_pid = InstanceLock::holder(f.cache / "mount.lock");
  REQUIRE(mount_pid.has_value());
  REQUIRE(::kill(*mount_pid, SIGKILL) == 0);
  (void)::close(fd);  // the mount is gone: ENOTCONN
  REQUIRE(eventually([&] { return !InstanceLock::held(f.cache / "mount.lock"); }));
  REQUIRE(run({"/bin/fusermount3", "-u", "-z", f.mnt.string()}).exit_code == 0);
  CHECK_FALSE(f.object("crash.txt").has_value());

  const auto remounted = f.mount();
  INFO(remounted.err);
  REQUIRE(remounted.exit_code == 0);
  CHECK(eventually([&] { return f.object_is("crash.txt", "survives"); }));
  CHECK(read_file(f.mnt / "crash.txt") == "survives");
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("with cache.fsync_waits_for_upload, fsync returns once the object is stored", "[cli]") {
  CliFixture f;
  REQUIRE(f.mount({"-o", "cache.fsync_waits_for_upload"}).exit_code == 0);
  const int fd = ::open((f.mnt / "synced.txt").c_str(), O_CREAT | O_WRONLY, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "on the store", 12) == 12);
  REQUIRE(::fsync(fd) == 0);
  CHECK(f.object_is("synced.txt", "on the store"));  // no waiting: fsync did
  ::close(fd);
  REQUIRE(f.unmount().exit_code == 0);
}
