// The local backend's version archive: older versions of objects, kept when the bucket
// directory has a ROOT/.autosync-versions/ directory (mkdir it to turn versioning on, as
// one turns it on for an S3 bucket; every client of the directory then keeps versions).
//
// Each key has a directory named by a hash of the key (so no key can collide with another
// or be too long): ROOT/.autosync-versions/HASH/VID.json describes one version (its key,
// ETag, size, mtime, metadata, or that it is a delete marker) and VID.data holds its bytes,
// a hard link to the data file the version was (a put renames a new file over the key, so
// the old inode keeps the old bytes). The current version stays the data file at the key;
// its id is in its sidecar record. Listings never show the archive (a reserved name).
//
// Version ids are 20 hex digits: the nanosecond time the version was written, then four
// digits to tell apart two written at once; they sort as the versions were written. A file
// copied into the directory by hand gets an id derived from its mtime and inode, stable
// while it is unchanged.
// Thread-safety: pure functions over files; the store serializes writers of one key.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "backends/local/file_ops.h"
#include "backends/object_store.h"

namespace autosync::backends::local {

struct ArchivedVersion {
  std::string key;
  std::string version_id;
  std::string etag;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string content_type;
  UserMetadata metadata;
  bool delete_marker = false;
};

class VersionArchive {
 public:
  VersionArchive(fs::path versions_root, fs::path temp_dir);

  // Keeps the data file `data` (by a hard link) as version `v.version_id` of `v.key`.
  // Keeping the same version twice is harmless (a crash may repeat it).
  Status keep(const fs::path& data, const ArchivedVersion& v) const;
  // Records that `v.key` was deleted (v.delete_marker must be set).
  Status add_delete_marker(const ArchivedVersion& v) const;
  // Every archived version of `key`, newest first; none when it has none.
  std::vector<ArchivedVersion> list(std::string_view key) const;
  // Version `version_id` of `key`: kNotFound when the archive has no such version.
  Result<ArchivedVersion> find(std::string_view key, std::string_view version_id) const;
  fs::path data_path(std::string_view key, std::string_view version_id) const;

 private:
  fs::path dir_of(std::string_view key) const;
  Status write_record(const ArchivedVersion& v) const;

  fs::path root_;
  fs::path temp_dir_;
};

// A new id, later than `newest_known` (an id or empty) even when the clock is not.
std::string new_version_id(int64_t now_ns, std::string_view newest_known);
// The id of a data file the backend did not write (no sidecar record names its id).
std::string derived_version_id(const FileIdentity& id);
// 20 hex digits: anything else cannot name a version (and never becomes a path).
bool valid_version_id(std::string_view id);

}  // namespace autosync::backends::local
