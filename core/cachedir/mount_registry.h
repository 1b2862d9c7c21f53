// Where a mount's cache is: how autosyncctl finds the daemon of a mountpoint.
//
// The mounted autosyncfs publishes a MountRecord twice, and withdraws both at unmount:
//   CACHE/mount.json                       in its cache directory (what the daemon reports)
//   REGISTRY/<escaped mountpoint>.json     the registry: /run/autosync/mounts as root, else
//                                          $XDG_RUNTIME_DIR/autosync/mounts (none without it)
// Both are small JSON objects {"mountpoint", "remote", "pid", "cache_dir"}, written to a
// temporary name and renamed, so a reader sees a whole record or none. A record whose pid is
// gone (a killed mount) is stale; readers check that with process_alive().
//
// Threading: free functions, no shared state. PublishedMount owns its two files.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/cachedir/cache_dir.h"

namespace autosync::cachedir {

struct MountRecord {
  std::filesystem::path mountpoint;
  std::string remote;
  pid_t pid = 0;
  std::filesystem::path cache_dir;
};

// The registry directories readers look in, this user's first: $XDG_RUNTIME_DIR/autosync/
// mounts (when set) and /run/autosync/mounts; registry_dir_for(euid): where that writer puts it.
std::vector<std::filesystem::path> registry_dirs();
std::optional<std::filesystem::path> registry_dir_for(uid_t euid);

// The registry entry's file name for `mountpoint` (bytes other than [A-Za-z0-9._-] as %XX).
std::string registry_name(const std::filesystem::path& mountpoint);

std::string to_json(const MountRecord& record);
Result<MountRecord> parse_mount_record(std::string_view json, std::string_view what);

// CACHE/mount.json; kNotFound when the cache is not mounted.
Result<MountRecord> read_mount_info(const Paths& paths);
// The registry entry for `mountpoint`, looked up in every registry_dirs(); kNotFound if none.
Result<MountRecord> find_registered(const std::filesystem::path& mountpoint);

bool process_alive(pid_t pid);

// Writes both records on publish() and removes them when destroyed (only files that still
// hold its own pid: a newer mount's records stay). Move-only.
class PublishedMount {
 public:
  // Writes CACHE/mount.json, then the registry entry; a registry that cannot be written
  // (no XDG_RUNTIME_DIR, a read-only /run) is skipped — --cache still finds the cache.
  static Result<PublishedMount> publish(const Paths& paths, MountRecord record);
  ~PublishedMount();
  PublishedMount(PublishedMount&& other) noexcept;
  PublishedMount& operator=(PublishedMount&&) = delete;
  PublishedMount(const PublishedMount&) = delete;

 private:
  PublishedMount(MountRecord record, std::vector<std::filesystem::path> files)
      : record_(std::move(record)), files_(std::move(files)) {}
  MountRecord record_;
  std::vector<std::filesystem::path> files_;  // empty once moved from
};

}  // namespace autosync::cachedir
