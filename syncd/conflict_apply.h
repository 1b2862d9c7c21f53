// The index side of a conflict's resolution, as FollowUp steps the pool runs in the
// transaction that records the row (conflict_resolve.h says what each resolution does).
// Internal to syncd/. Steps hold copies of what they need; they run on the worker's thread.
#pragma once

#include <memory>
#include <string>

#include "backends/object_store.h"
#include "core/index/conflict_records.h"
#include "core/index/records.h"
#include "core/layout/object_meta.h"
#include "syncd/journal_ops.h"

namespace autosync::syncd {

// The store's version of a key in a conflict, with what its metadata says.
struct TheirVersion {
  backends::ObjectInfo info;
  layout::FileMeta meta;  // attributes; defaults from the local file where it has none
  layout::OriginMeta origin;
  std::string symlink_target;  // when meta.mode says symlink
};

// The inode a fresh name for `theirs` at `key` gets (uncached: reads fetch it).
index::NewInode inode_for(const std::string& key, const TheirVersion& theirs);

// Keep-both: `ino`, which met the conflict as row `row_seq` at `key`, now lives on the store
// at `copy_key` (as `copy_etag`). Its name at `key` (if it still has it) moves to the copy's
// name; the name at `key`, if free, gets `theirs`; the inode's later rows at `key` follow to
// `copy_key`. A remote listing may have brought the copy in as an inode of its own between
// the upload and this step: that echo of our own upload gives the name back.
struct KeepBoth {
  index::Ino ino = 0;
  int64_t row_seq = 0;
  std::string key;
  std::string copy_key;
  std::string copy_etag;
  index::NewInode theirs;
};
FollowUp::Step keep_both_step(KeepBoth plan);

// Remote wins: `ino` becomes `theirs` (reset_to_remote) and its pending uploads and setmetas
// after `row_seq` go. Retryable if the inode was written again (local_gen != gen) or opened
// since the decision. (The caller drops the cached bytes after the commit.)
FollowUp::Step remote_wins_step(index::Ino ino, uint64_t gen, int64_t row_seq,
                                index::NewInode theirs);

// A deleted file's name gets `theirs` back at `key`, when its directory exists and the name
// is free; `resolution` says which happened.
FollowUp::Step restore_step(std::string key, index::NewInode theirs,
                            std::shared_ptr<std::string> resolution);

// Inserts `record` (its resolution from `resolution` when given) and publishes kConflict.
FollowUp::Step record_step(index::ConflictRecord record,
                           std::shared_ptr<std::string> resolution = nullptr);

// Records a version of a path (versions table).
FollowUp::Step version_step(index::VersionRecord version);

}  // namespace autosync::syncd
