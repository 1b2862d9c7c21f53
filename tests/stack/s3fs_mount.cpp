#include "tests/stack/s3fs_mount.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

namespace autosync::testing {
namespace {

constexpr const char* kS3fs = "/usr/bin/s3fs";

bool mounted_at(const std::filesystem::path& path) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, mountpoint, rest;
  while (mounts >> device >> mountpoint && std::getline(mounts, rest)) {
    if (mountpoint == path.string()) return true;
  }
  return false;
}

// Starts argv as a child that dies with us; -1 when fork fails.
pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));  // execv does not write to them
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for `pid` up to `limit`; true once it has exited (and is reaped).
bool reap(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || done < 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

bool s3fs_installed() {
  return ::access(kS3fs, X_OK) == 0;
}

Result<std::unique_ptr<S3fsMount>> S3fsMount::mount(const std::string& bucket,
                                                    const std::string& endpoint,
                                                    const std::filesystem::path& mountpoint) {
  auto mount = std::make_unique<S3fsMount>(mountpoint, -1);
  const auto passwd = mount->secrets_.path() / "passwd";
  std::ofstream(passwd) << "S3RVER:S3RVER\n";
  ::chmod(passwd.c_str(), 0600);
  mount->pid_ =
      spawn({kS3fs, bucket, mountpoint.string(), "-f", "-o", "passwd_file=" + passwd.string(), "-o",
             "url=" + endpoint, "-o", "use_path_request_style", "-o", "stat_cache_expire=1"});
  if (mount->pid_ < 0) return io_error("s3fs: fork failed");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!mounted_at(mountpoint)) {
    if (reap(mount->pid_, std::chrono::milliseconds(50))) {
      mount->pid_ = -1;
      return io_error("s3fs exited before mounting " + mountpoint.string());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return io_error("s3fs did not mount " + mountpoint.string() + " within 15 s");
    }
  }
  return mount;
}

void S3fsMount::unmount() {
  if (pid_ < 0) return;
  if (mounted_at(mountpoint_)) {
    const pid_t fusermount = spawn({"/usr/bin/fusermount3", "-u", mountpoint_.string()});
    if (fusermount > 0) reap(fusermount, std::chrono::seconds(10));
  }
  if (!reap(pid_, std::chrono::seconds(10))) {
    ::kill(pid_, SIGKILL);
    reap(pid_, std::chrono::seconds(5));
  }
  if (mounted_at(mountpoint_)) ::umount2(mountpoint_.c_str(), MNT_DETACH);
  pid_ = -1;
}

S3fsMount::~S3fsMount() {
  unmount();
}

}  // namespace autosync::testing
