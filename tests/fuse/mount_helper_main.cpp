// fuse_mount_helper MOUNTPOINT [--auto-unmount]: a daemon's life in miniature for
// signal_test.cpp. Mounts an empty MemoryVfs at MOUNTPOINT, serves it on the main thread
// until SIGINT, SIGTERM or SIGHUP (or an unmount from outside), then unmounts and exits 0.
#include <cstdio>
#include <string_view>

#include "fs/mount_session.h"
#include "tests/support/memory_vfs.h"

int main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuse_mount_helper MOUNTPOINT [--auto-unmount]\n");
    return 2;
  }
  autosync::testing::MemoryVfs vfs;
  autosync::fs::MountOptions options;
  options.fsname = "autosync-helper";
  options.auto_unmount = argc > 2 && std::string_view(argv[2]) == "--auto-unmount";
  auto session = autosync::fs::MountSession::mount(vfs, argv[1], options);
  if (!session.is_ok()) {
    std::fprintf(stderr, "fuse_mount_helper: %s\n", session.status().to_string().c_str());
    return 1;
  }
  const autosync::Status served = session.value()->run(autosync::fs::SignalHandling::kExitOnSignal);
  session.value().reset();  // unmounts
  if (!served.is_ok()) {
    std::fprintf(stderr, "fuse_mount_helper: %s\n", served.to_string().c_str());
    return 1;
  }
  return 0;
}
