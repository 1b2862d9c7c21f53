#include "core/process/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

namespace autosync::process {
namespace {

Result<UniqueFd> open_lock_file(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return from_errno(errno, "open lock file " + file.string());
  return fd;
}

}  // namespace

Result<InstanceLock> InstanceLock::acquire(const std::filesystem::path& file) {
  AUTOSYNC_ASSIGN_OR_RETURN(UniqueFd fd, open_lock_file(file));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return from_errno(errno, "lock " + file.string());
    const auto pid = holder(file);
    return Status::error(ErrorKind::kAlreadyExists,
                         file.string() + " is in use by " +
                             (pid ? "pid " + std::to_string(*pid) : "another process"));
  }
  InstanceLock lock(std::move(fd));
  AUTOSYNC_RETURN_IF_ERROR(lock.write_pid());
  return lock;
}

Status InstanceLock::write_pid() {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_.get(), 0) != 0 ||
      ::pwrite(fd_.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return from_errno(errno, "write pid into lock file");
  }
  return {};
}

bool InstanceLock::held(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  // A shared lock is granted unless someone holds the exclusive one; dropped at close.
  return ::flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

std::optional<pid_t> InstanceLock::holder(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  char buf[32] = {};
  const ssize_t n = ::pread(fd.get(), buf, sizeof(buf) - 1, 0);
  if (n <= 0) return std::nullopt;
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(buf, buf + n, pid);
  if (ec != std::errc() || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace autosync::process
