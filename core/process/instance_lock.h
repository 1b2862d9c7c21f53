// InstanceLock: "only one of us per cache directory", as an advisory lock (flock) on a file.
//
// autosyncfs holds CACHE/mount.lock while the cache is mounted, autosyncd holds
// CACHE/syncd.lock while it runs. The kernel drops a flock when its holder dies, so a crash
// never leaves a stale lock behind; the file also names the holder's pid for messages.
// Move-only; not thread-safe. Releasing = destroying.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace autosync::process {

class InstanceLock {
 public:
  // Takes the lock without waiting. kAlreadyExists "... is in use by pid N" when another
  // process holds it; kIo (or kAccessDenied) when the file cannot be opened.
  static Result<InstanceLock> acquire(const std::filesystem::path& file);

  // Whether some process holds the lock on `file` now (false when the file does not exist).
  static bool held(const std::filesystem::path& file);
  // The pid written by the holder, if the file names one.
  static std::optional<pid_t> holder(const std::filesystem::path& file);

  InstanceLock(InstanceLock&&) noexcept = default;
  InstanceLock& operator=(InstanceLock&&) noexcept = default;

 private:
  explicit InstanceLock(UniqueFd fd) : fd_(std::move(fd)) {}
  Status write_pid();  // so messages can name the holder
  UniqueFd fd_;
};

}  // namespace autosync::process
