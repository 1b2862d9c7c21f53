// The metadata record kept beside each object of the local backend (KEY.meta, JSON).
//
// A record lists the newest versions written through the backend (newest first, two at
// most), each tied to the identity (inode, mtime, size) of the data file it describes. A
// put writes the record before it renames the data into place, so after a crash between
// the two steps the record still describes the old data, and readers pick the version
// whose identity matches the file they see. A file with no matching version (copied in by
// hand) gets an ETag derived from its identity and no metadata. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/local/file_ops.h"
#include "backends/object_store.h"

namespace autosync::backends::local {

struct VersionRecord {
  std::string etag;
  std::string version_id;  // set when the bucket keeps versions (local_versions.h)
  FileIdentity identity;
  std::string content_type;
  UserMetadata metadata;
};

struct Sidecar {
  std::vector<VersionRecord> versions;  // newest first

  const VersionRecord* find(const FileIdentity& id) const;
  // Adds `v` as the newest version, keeping the one before it for crash recovery.
  void push(VersionRecord v);
};

// A missing or unreadable record reads as empty: the data file is the truth.
Sidecar load_sidecar(const fs::path& path);
std::string serialize(const Sidecar& sidecar);

std::string new_etag();
std::string derived_etag(const FileIdentity& id);

}  // namespace autosync::backends::local
