// The value types of the conflicts and versions tables (schema v4): what autosyncd recorded
// about a conflict and how it was resolved, and the versions of a file this client has seen.
// Plain structs; times are nanoseconds since the epoch, sizes bytes.
#pragma once

#include <cstdint>
#include <string>

namespace autosync::index {

// Which changes met (conflicts.kind).
enum class ConflictKind : int {
  kBothChanged = 1,    // edited here and on the store
  kRemoteDeleted = 2,  // edited here, deleted on the store
  kLocalDeleted = 3,   // deleted here, edited on the store
};

// One version of the file in a conflict; an empty etag with size 0 is "none" (deleted).
struct ConflictSide {
  std::string etag;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string host;  // "" = unknown (written by another tool)
  bool operator==(const ConflictSide&) const = default;
};

struct ConflictRecord {
  int64_t id = 0;         // assigned by add_conflict
  std::string path;       // the key both versions claimed
  std::string copy_path;  // keep-both: where the local version went; else ""
  ConflictKind kind = ConflictKind::kBothChanged;
  ConflictSide local, remote;
  std::string policy;      // the policy applied ("keep-both", "newest", ...)
  std::string resolution;  // what was done: "kept both", "local won", "remote restored", ...
  int64_t time_ns = 0;
  bool resolved = false;  // settled; keep-both copies stay unresolved for the user to look at
  bool operator==(const ConflictRecord&) const = default;
};

// One version of a path (versions table).
struct VersionRecord {
  std::string path;
  uint64_t ino = 0;
  std::string etag;
  std::string version_id;  // the store's, when versioning is on
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string host;       // who wrote it, when known
  bool uploaded = false;  // this client wrote it
  int64_t seen_ns = 0;    // when this client first met it (set by add_version)
  bool operator==(const VersionRecord&) const = default;
};

}  // namespace autosync::index
