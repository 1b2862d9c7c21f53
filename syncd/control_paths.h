// Paths as autosyncctl names them — relative to the mount's root, "a/b/c" ("" is the root) —
// resolved through the cache index, and the walk over what lies under one. Used by the
// daemon's commands and by autosyncctl ls (which reads the index without a daemon).
//
// The index knows what the mount has seen: a path the mount never listed is kNotFound here
// even when the store has it.
// Threading: as Index (any thread). Stateless.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/index/index.h"

namespace autosync::syncd {

// The inode `path` names. kNotFound "no such file in the cache index: PATH".
Result<index::InodeRecord> resolve_path(index::Index& index, std::string_view path);

// Calls `visit(path, record)` for `path` and, when it is a directory, for everything under
// it the index knows, depth first, names in order. A visit error stops the walk.
Status walk_tree(index::Index& index, std::string_view path,
                 const std::function<Status(const std::string&, const index::InodeRecord&)>& visit);

}  // namespace autosync::syncd
