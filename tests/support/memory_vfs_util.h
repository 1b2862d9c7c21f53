// Small helpers shared by MemoryVfs's source files. Internal; pure functions.
#pragma once

#include <time.h>

#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/vfs/vfs.h"

namespace autosync::testing::memory_vfs {

inline constexpr size_t kNameMax = 255;   // NAME_MAX
inline constexpr size_t kPathMax = 4096;  // PATH_MAX, for symlink targets

inline vfs::Timespec now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return vfs::Timespec{static_cast<int64_t>(ts.tv_sec), static_cast<int64_t>(ts.tv_nsec)};
}

// A name a new entry may have: one path component, not "." or "..", at most NAME_MAX bytes.
inline Status check_name(std::string_view name, std::string_view what) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
    return invalid(std::string(what) + ": not a valid name");
  }
  if (name.size() > kNameMax) {
    return Status::error(ErrorKind::kNameTooLong, std::string(what) + ": name too long");
  }
  return {};
}

}  // namespace autosync::testing::memory_vfs
