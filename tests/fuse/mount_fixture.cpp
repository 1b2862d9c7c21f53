#include "tests/fuse/mount_fixture.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

namespace autosync::testing {
namespace {

// Set once by main() before any test runs and cleared after the last one.
FuseTestMount* g_mount = nullptr;  // NOLINT: the test process's one fixture

}  // namespace

Result<std::unique_ptr<FuseTestMount>> FuseTestMount::create(bool writeback_cache) {
  auto mount = std::make_unique<FuseTestMount>(writeback_cache);
  if (mount->root().empty()) return io_error("fuse_tests: cannot create a temp dir");
  fs::MountOptions options = test_mount_options();
  options.auto_unmount = true;  // a crashed test process leaves no mount behind
  options.adapter.writeback_cache = writeback_cache;
  auto session = fs::MountSession::mount(mount->vfs_, mount->root(), options);
  if (!session) return session.status();
  mount->session_ = std::move(session).value();
  AUTOSYNC_RETURN_IF_ERROR(mount->session_->start());
  return mount;
}

FuseTestMount::~FuseTestMount() {
  session_.reset();
}

std::string test_fsname() {
  return fmt::format("autosync-test-{}", ::getpid());
}

fs::MountOptions test_mount_options() {
  fs::MountOptions options;
  options.fsname = test_fsname();
  return options;
}

FuseTestMount& fuse_mount() {
  return *g_mount;
}
void set_fuse_mount(FuseTestMount* mount) {
  g_mount = mount;
}

std::filesystem::path fresh_dir(std::string_view test_name) {
  static std::atomic<int> counter{0};
  auto path = fuse_mount().root() / fmt::format("{}-{}", test_name, ++counter);
  REQUIRE(::mkdir(path.c_str(), 0755) == 0);
  return path;
}

namespace {

// Walks `path` from the mount's root in the Vfs; each lookup's reference is dropped again.
Result<vfs::Ino> lookup_in_vfs(MemoryVfs& vfs, const std::filesystem::path& path) {
  vfs::Ino ino = vfs::kRootIno;
  for (const auto& part : path.lexically_relative(fuse_mount().root())) {
    auto entry = vfs.lookup({}, ino, part.string());
    if (!entry) return entry.status();
    ino = entry->attr.ino;
    vfs.forget(ino, 1);
  }
  return ino;
}

}  // namespace

std::string content_in_vfs(const std::filesystem::path& path) {
  MemoryVfs& vfs = fuse_mount().vfs();
  auto ino = lookup_in_vfs(vfs, path);
  if (!ino) return "<error: " + ino.status().to_string() + ">";
  auto opened = vfs.open({}, *ino, O_RDONLY);
  if (!opened) return "<error: " + opened.status().to_string() + ">";
  auto attr = vfs.getattr(*ino);
  std::string out(attr.is_ok() ? attr->size : 0, '\0');
  auto n = vfs.read(*ino, opened->handle, 0, out);
  (void)vfs.release(*ino, opened->handle);
  if (!n) return "<error: " + n.status().to_string() + ">";
  out.resize(*n);
  return out;
}

bool is_mounted(const std::filesystem::path& path) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, mountpoint, rest;
  while (mounts >> device >> mountpoint && std::getline(mounts, rest)) {
    if (mountpoint == path.string()) return true;
  }
  return false;
}

}  // namespace autosync::testing
