// The fuse_tests fixture: one MemoryVfs mounted through MountSession at a fresh temp dir
// for the whole process (main() creates it, so it is unmounted when the tests end, pass or
// fail), plus small syscall helpers the tests share.
//
// Threading: the mount is created and destroyed on the main thread; tests may use it from
// any thread. Each test works in its own directory (fresh_dir) so tests do not interfere.
#pragma once

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/base/unique_fd.h"
#include "fs/mount_session.h"
#include "tests/support/memory_vfs.h"
#include "tests/support/syscalls.h"
#include "tests/support/temp_dir.h"

namespace autosync::testing {

class FuseTestMount {
 public:
  static Result<std::unique_ptr<FuseTestMount>> create(bool writeback_cache);
  explicit FuseTestMount(bool writeback_cache) : writeback_cache_(writeback_cache) {}
  ~FuseTestMount();
  FuseTestMount(const FuseTestMount&) = delete;
  FuseTestMount& operator=(const FuseTestMount&) = delete;

  const std::filesystem::path& root() const { return dir_.path(); }
  MemoryVfs& vfs() { return vfs_; }
  bool writeback_cache() const { return writeback_cache_; }
  const fs::MountSession& session() const { return *session_; }

 private:
  TempDir dir_;    // outlives the mount on it
  MemoryVfs vfs_;  // outlives the session serving it
  std::unique_ptr<fs::MountSession> session_;
  bool writeback_cache_;
};

// The fsname of every mount this process makes ("autosync-test-PID"): the watchdog finds
// them by it.
std::string test_fsname();
// Mount options for tests: defaults plus test_fsname().
fs::MountOptions test_mount_options();

// The process's mount, set by main() for the duration of the run.
FuseTestMount& fuse_mount();
void set_fuse_mount(FuseTestMount* mount);

// A new, empty directory inside the mount for one test.
std::filesystem::path fresh_dir(std::string_view test_name);

// The content of the file at `path` (inside the mount) as the Vfs holds it, read past the
// kernel's page cache; "<error: ...>" when the Vfs has no such file.
std::string content_in_vfs(const std::filesystem::path& path);
// Whether `path` is a mount point in /proc/self/mounts.
bool is_mounted(const std::filesystem::path& path);

}  // namespace autosync::testing
