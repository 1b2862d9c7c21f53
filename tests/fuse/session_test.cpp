// MountSession's lifecycle with mounts of its own: destruction unmounts (served or not,
// with files still open), an unmount from outside ends run(), a read-only mount refuses
// writes, and a bad mount point is an error rather than a crash.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

std::unique_ptr<fs::MountSession> mount_or_fail(MemoryVfs& vfs, const TempDir& dir,
                                                const fs::MountOptions& options) {
  auto session = fs::MountSession::mount(vfs, dir.path(), options);
  INFO(session.status().to_string());
  REQUIRE(session.is_ok());
  return std::move(session).value();
}

TEST_CASE("destroying a served session unmounts it", "[session]") {
  TempDir dir;
  MemoryVfs vfs;
  {
    auto session = mount_or_fail(vfs, dir, test_mount_options());
    REQUIRE(session->start().is_ok());
    CHECK(is_mounted(dir.path()));
    write_file(dir.path() / "f", "served");
    CHECK(read_file(dir.path() / "f") == "served");
  }
  CHECK_FALSE(is_mounted(dir.path()));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "f"));  // the directory underneath
  CHECK(vfs.lookup({}, vfs::kRootIno, "f").is_ok());       // the data was the Vfs's
}

TEST_CASE("a session that never served unmounts too", "[session]") {
  TempDir dir;
  MemoryVfs vfs;
  { auto session = mount_or_fail(vfs, dir, test_mount_options()); }
  CHECK_FALSE(is_mounted(dir.path()));
}

TEST_CASE("unmount with a file still open does not hang", "[session]") {
  TempDir dir;
  MemoryVfs vfs;
  auto session = mount_or_fail(vfs, dir, test_mount_options());
  REQUIRE(session->start().is_ok());
  UniqueFd fd = open_or_fail(dir.path() / "open", O_RDWR | O_CREAT);
  pwrite_all(fd.get(), "x", 0);
  session->unmount();
  CHECK_FALSE(is_mounted(dir.path()));
  char c = 0;
  CHECK_ERRNO(::pread(fd.get(), &c, 1, 0), ENOTCONN);  // the connection is gone
  session->unmount();                                  // idempotent
}

TEST_CASE("an unmount from outside ends run()", "[session]") {
  TempDir dir;
  MemoryVfs vfs;
  auto session = mount_or_fail(vfs, dir, test_mount_options());
  auto served =
      std::async(std::launch::async, [&] { return session->run(fs::SignalHandling::kNone); });
  write_file(dir.path() / "f", "x");  // served on the run() thread
  REQUIRE(::umount2(dir.path().c_str(), 0) == 0);
  REQUIRE(served.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(served.get().is_ok());
  CHECK_FALSE(is_mounted(dir.path()));
}

TEST_CASE("a read-only mount refuses writes with EROFS", "[session]") {
  TempDir dir;
  MemoryVfs vfs;
  auto made = vfs.create({}, vfs::kRootIno, "existing", S_IFREG | 0644, O_WRONLY);
  REQUIRE(made.is_ok());
  REQUIRE(vfs.write(made->first.attr.ino, made->second.handle, 0, std::string_view("ro")).is_ok());
  REQUIRE(vfs.release(made->first.attr.ino, made->second.handle).is_ok());
  vfs.forget(made->first.attr.ino, 1);

  fs::MountOptions options = test_mount_options();
  options.read_only = true;
  auto session = mount_or_fail(vfs, dir, options);
  REQUIRE(session->start().is_ok());
  CHECK(read_file(dir.path() / "existing") == "ro");
  CHECK_ERRNO(::open((dir.path() / "existing").c_str(), O_WRONLY), EROFS);
  CHECK_ERRNO(::mkdir((dir.path() / "d").c_str(), 0755), EROFS);
}

TEST_CASE("mounting on a missing directory is an error", "[session]") {
  MemoryVfs vfs;
  auto session =
      fs::MountSession::mount(vfs, "/nonexistent/autosync/mountpoint", test_mount_options());
  CHECK_FALSE(session.is_ok());
}

TEST_CASE("start() twice is refused", "[session]") {
  TempDir dir;
  MemoryVfs vfs;
  auto session = mount_or_fail(vfs, dir, test_mount_options());
  REQUIRE(session->start().is_ok());
  CHECK_FALSE(session->start().is_ok());
  CHECK_FALSE(session->run(fs::SignalHandling::kNone).is_ok());
}

// Hidden: run by ctest's fuse.watchdog with a short AUTOSYNC_FUSE_TEST_TIMEOUT.
TEST_CASE("a wedged mount trips the watchdog", "[.wedge]") {
  TempDir dir;
  MemoryVfs vfs;
  auto session = mount_or_fail(vfs, dir, test_mount_options());
  // Never served: this waits for an answer that never comes, until the watchdog acts.
  struct stat st {};
  (void)::stat(dir.path().c_str(), &st);
  std::this_thread::sleep_for(std::chrono::seconds(10));  // the watchdog exits meanwhile
  FAIL("the watchdog should have ended the process");
}

}  // namespace
}  // namespace autosync::testing
