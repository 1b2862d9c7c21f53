// The local backend: a plain directory used as a bucket.
//
// Each object is an ordinary file at its key's path under the root, so the directory reads
// like the files it holds. Metadata (user metadata, content type, ETag) lives beside the
// data in a mirrored hidden tree, ROOT/.autosync-meta/KEY.meta. A put writes a temp file,
// fsyncs it and renames it into place, so readers see the old or the new object, never a mix.
// Keys ending in '/' are directory markers (empty objects kept as directories).
// Files copied into the root by hand are objects too (with a stat-derived ETag).
#pragma once

#include <filesystem>
#include <memory>

#include "backends/object_store.h"

namespace autosync::backends::local {

struct LocalConfig {
  std::filesystem::path root;  // must exist and be a directory
};

Result<std::unique_ptr<ObjectStore>> open_store(const LocalConfig& config);

}  // namespace autosync::backends::local
