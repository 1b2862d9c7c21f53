// Conflict resolution: what a journal operation does when the store's object is no longer
// the version the local change was based on. The operation does the store's part here (an
// upload of the conflict copy, an overwrite conditioned on the remote's current ETag) and
// leaves the index's part in ctx.follow_up, which the pool runs in the transaction that
// records the row: names moved, inodes created or reset, rows retargeted, the conflict
// recorded (conflicts table) and published (kConflict, kInvalidateEntry, kInvalidateInode).
//
//   local edit, remote edit    the policy for the key decides (conflict_policy.h):
//     keep-both  the local inode moves to the conflict name (same directory) and is uploaded
//                there (If-None-Match *); a fresh inode at the name points at the remote
//                version, uncached
//     local      uploaded again, conditioned on the remote's current ETag
//     remote     the local inode becomes the remote version (cached bytes dropped, clean);
//                when it is open, was written again meanwhile or is not a regular file,
//                keep-both instead (nothing is lost)
//   local edit, remote delete  uploaded again (If-None-Match *): a modification wins
//   local delete, remote edit  the remote file comes back into the mount (a fresh inode)
//
// Races the resolution cannot settle (the store changed again, the inode changed while the
// store work ran) come back retryable: the row runs again and meets the conflict anew.
// Threading: stateless functions over the context's thread-safe index and stores.
#pragma once

#include "backends/object_store.h"
#include "core/base/status.h"
#include "core/index/records.h"
#include "syncd/journal_ops.h"

namespace autosync::syncd {

// For run_upload, after its conditional write failed with `conflict` (kPreconditionFailed)
// and `inode` (as it is now) is still linked. Without ctx.conflicts or ctx.follow_up, returns
// `conflict` unchanged.
OpResult resolve_upload_conflict(const OpContext& ctx, const index::JournalEntry& row,
                                 const index::InodeRecord& inode, Status conflict);

// For run_delete, when the store holds `theirs` at row.key, not the version it was to
// delete. An object a linked local file now holds (it took the name and was uploaded) is not
// a conflict: it stays and the row is done.
OpResult resolve_delete_conflict(const OpContext& ctx, const index::JournalEntry& row,
                                 const backends::ObjectInfo& theirs, Status conflict);

// Records (versions table, in the row's transaction) that this client uploaded `written`
// for `inode` at `key`. No-op without ctx.follow_up.
void note_uploaded_version(const OpContext& ctx, const index::InodeRecord& inode,
                           std::string_view key, const backends::ObjectInfo& written);

}  // namespace autosync::syncd
