// How files look on the store: one object per file at its path, attributes in user metadata
// with s3fs-fuse's names and formats, so a bucket written by s3fs mounts with its modes and
// links intact, and the other way round.
//
//   x-amz-meta-mode   st_mode in decimal, type bits included (33188 = S_IFREG|0644)
//   x-amz-meta-uid    decimal
//   x-amz-meta-gid    decimal
//   x-amz-meta-mtime  seconds since the epoch, decimal (s3fs writes whole seconds; a
//                     fraction, if present, is kept to nanoseconds)
//   symlinks          an object whose body is the target and whose mode has S_IFLNK
//   directories       an empty "dir/" object, content type application/x-directory
// and, beyond s3fs's set (s3fs ignores names it does not know), who wrote a version, so a
// client that meets it in a conflict can apply its policy:
//   x-amz-meta-autosync-host      the writing client's sync.host
//   x-amz-meta-autosync-priority  its sync.priority, decimal (may be negative)
// Pure functions; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "backends/object_store.h"

namespace autosync::layout {

struct FileMeta {
  mode_t mode = 0;  // type and permission bits
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t mtime_ns = 0;
};

// Who wrote an object (AutoSync's own fields; absent on objects other tools wrote).
struct OriginMeta {
  std::string host;      // "" = unknown
  int64_t priority = 0;  // 0 when absent or malformed
  bool has_priority = false;
};

inline constexpr std::string_view kHostField = "autosync-host";
inline constexpr std::string_view kPriorityField = "autosync-priority";
// "CLIENT/INO/GEN": the cache (its client id), inode and generation an upload came from, so a
// retry after a crash knows its own object (syncd/own_upload.h).
inline constexpr std::string_view kUploadField = "autosync-upload";

inline constexpr std::string_view kDirContentType = "application/x-directory";

backends::UserMetadata encode_meta(const FileMeta& meta);

// Reads the attributes of `object`; a missing or malformed field takes its value from
// `defaults` (the mount's uid, gid and default mode). A missing mtime is the object's
// Last-Modified. A key ending in '/' is a directory whatever its mode says.
FileMeta decode_meta(const backends::ObjectInfo& object, const FileMeta& defaults);

// Adds the origin fields to `meta` (the host only when not empty).
void add_origin(backends::UserMetadata& meta, const OriginMeta& origin);
OriginMeta decode_origin(const backends::ObjectInfo& object);

// "a/b" -> "a/b/" (the root, "", has no marker: returns "").
std::string dir_marker_key(std::string_view dir_path);

}  // namespace autosync::layout
