// Which cache (and so which autosyncd) autosyncctl talks to, and mount-relative paths.
//
//   --cache DIR          that cache directory (its mount, if any, from CACHE/mount.json)
//   --mount MOUNTPOINT   the autosync mount there (its cache from the mount registry)
//   a PATH argument      the autosync mount holding PATH
//   nothing              the only autosync mount (fstype fuse.autosyncfs in
//                        /proc/self/mountinfo); none or several is an error
//
// Threading: free functions; they read /proc and small files. No state.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace autosync::ctl {

struct Target {
  std::filesystem::path cache_dir;
  std::optional<std::filesystem::path> mountpoint;  // when the cache is mounted
};

struct TargetHints {
  std::optional<std::filesystem::path> cache;  // --cache
  std::optional<std::filesystem::path> mount;  // --mount
  std::optional<std::filesystem::path> path;   // the first PATH argument
};

// The mountpoints of every autosync mount, from a mountinfo file's text.
std::vector<std::filesystem::path> autosync_mounts_in(std::string_view mountinfo);
std::vector<std::filesystem::path> autosync_mounts();  // /proc/self/mountinfo

// kNotFound / kInvalid with a one-line message that says what to pass instead.
Result<Target> find_target(const TargetHints& hints);

// PATH (absolute, or relative to the working directory) as a path inside the mount, "a/b"
// ("" for the root). Without a mountpoint PATH is taken as mount-relative already.
// kInvalid when PATH lies outside the mount.
Result<std::string> mount_relative(const Target& target, const std::filesystem::path& path);

}  // namespace autosync::ctl
