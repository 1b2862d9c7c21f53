// Own uploads: telling this cache's earlier write from someone else's change.
//
// A daemon killed after the store took an upload but before the index recorded it retries
// the row after a restart; the retry's condition (the version the change was based on) then
// fails against the object the first try wrote. Without more, that is a conflict with
// ourselves. So every upload carries a token (layout::kUploadField: client id, inode,
// generation); a retry that meets a failed condition reads the object's token first.
//
// Threading: stateless; any worker thread.
#pragma once

#include <optional>
#include <string>

#include "syncd/journal_ops.h"

namespace autosync::syncd {

// "CLIENT/INO/GEN"; "" when `client_id` is empty (no token written).
std::string upload_token(std::string_view client_id, index::Ino ino, uint64_t gen);

// Adds the token of (ctx.client_id, ino, gen) to `metadata` (nothing without a client id).
void add_upload_token(const OpContext& ctx, index::Ino ino, uint64_t gen,
                      backends::UserMetadata& metadata);

struct OwnUpload {
  backends::ObjectInfo object;  // as a HEAD returned it
  uint64_t gen = 0;             // the generation of `ino` it holds
};

// The object at `key` when this cache wrote it for inode `ino` (any generation); nullopt when
// there is none, or someone else wrote it. Store errors other than "not found" pass through.
Result<std::optional<OwnUpload>> own_upload_at(const OpContext& ctx, std::string_view key,
                                               index::Ino ino);

}  // namespace autosync::syncd
