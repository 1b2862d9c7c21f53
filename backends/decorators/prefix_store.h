// Prefix decorator: confines a store to the keys under one prefix, like a subdirectory.
//
// Every key going in gets `prefix` in front (e.g. "team/a/" + "docs/x.txt"); keys and common
// prefixes coming back from list, and keys in ObjectInfo and KeyError, lose it. The prefix is
// used exactly as given: include the trailing "/" if you want a directory. An empty prefix
// is the identity (with_prefix returns `inner` itself). capabilities().max_key_bytes shrinks
// by the prefix's length. Continuation tokens pass through untouched (they are opaque).
// Thread-safety: as safe as `inner`; the decorator itself holds no mutable state. Owns `inner`.
#pragma once

#include <memory>
#include <string>

#include "backends/object_store.h"

namespace autosync::backends {

// Puts every key under `prefix` (e.g. "team/a/"); list results come back without it.
std::unique_ptr<ObjectStore> with_prefix(std::unique_ptr<ObjectStore> inner, std::string prefix);

}  // namespace autosync::backends
