#include "tests/fuse/watchdog.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace autosync::testing {
namespace {

constexpr const char* kConnections = "/sys/fs/fuse/connections";

struct FuseMount {
  std::string mountpoint;
  unsigned long connection = 0;  // the kernel's device number: the fusectl directory name
};

// /proc/self/mountinfo: "id parent major:minor root mountpoint options... - type source ...".
std::vector<FuseMount> fuse_mounts_of(const std::string& fsname) {
  std::vector<FuseMount> found;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mountpoint, word;
    fields >> id >> parent >> device >> root >> mountpoint;
    while (fields >> word && word != "-") {
    }
    std::string type, source;
    fields >> type >> source;
    if (type.rfind("fuse", 0) != 0 || source != fsname) continue;
    const size_t colon = device.find(':');
    if (colon == std::string::npos) continue;
    const unsigned long major = std::stoul(device.substr(0, colon));
    const unsigned long minor = std::stoul(device.substr(colon + 1));
    found.push_back({mountpoint, (major << 20) | minor});
  }
  return found;
}

// Writes to the connection's abort file; true if it had to mount fusectl to find it.
bool abort_connection(unsigned long connection) {
  const std::string abort_file =
      std::string(kConnections) + "/" + std::to_string(connection) + "/abort";
  bool mounted_fusectl = false;
  if (::access(abort_file.c_str(), W_OK) != 0) {  // fusectl is not mounted on every system
    mounted_fusectl = ::mount("fusectl", kConnections, "fusectl", 0, nullptr) == 0;
  }
  std::ofstream(abort_file) << "1";
  return mounted_fusectl;
}

}  // namespace

int abort_fuse_mounts(const std::string& fsname) {
  const auto mounts = fuse_mounts_of(fsname);
  bool mounted_fusectl = false;
  for (const auto& mount : mounts) {
    mounted_fusectl = abort_connection(mount.connection) || mounted_fusectl;
    ::umount2(mount.mountpoint.c_str(), MNT_DETACH);
    ::rmdir(mount.mountpoint.c_str());  // the tests' empty temp dir, which _Exit leaves
  }
  if (mounted_fusectl) ::umount(kConnections);  // leave the machine as it was
  return static_cast<int>(mounts.size());
}

Watchdog::Watchdog(std::chrono::seconds limit, std::string fsname)
    : fsname_(std::move(fsname)), thread_([this, limit] { watch(limit); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::watch(std::chrono::seconds limit) {
  std::unique_lock lock(mu_);
  if (cv_.wait_for(lock, limit, [this] { return done_; })) return;
  std::fprintf(stderr,
               "fuse_tests: watchdog: still running after %llds; aborting the FUSE "
               "connections of %s and exiting\n",
               static_cast<long long>(limit.count()), fsname_.c_str());
  const int aborted = abort_fuse_mounts(fsname_);
  std::fprintf(stderr, "fuse_tests: watchdog: aborted %d mount(s)\n", aborted);
  std::_Exit(3);
}

}  // namespace autosync::testing
