// Listing a local backend's directory tree with S3 ListObjectsV2 semantics: keys in byte
// order, prefix, any delimiter (common prefixes), pages of max_keys with a continuation
// token (the last key or prefix returned). Walks only the directories the prefix and
// token can reach. Thread-safe (reads the file system only).
#pragma once

#include <functional>

#include "backends/local/key_path.h"
#include "backends/object_store.h"

namespace autosync::backends::local {

// Describes one object found by the walk (head without metadata); kNotFound skips it.
using StatFn = std::function<Result<ObjectInfo>(std::string_view key)>;

Result<ListPage> list_directory_tree(const KeyPaths& paths, const ListOptions& options,
                                     const StatFn& stat);

}  // namespace autosync::backends::local
