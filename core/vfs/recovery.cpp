// CacheVfs::recover: what a mount does once at start so that a crash loses no local change
// and resurrects no deleted name (see cache_vfs.h).
#include <spdlog/spdlog.h>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

// Keeps the first error while the others are still tried.
void keep_first(Status& first, Status status) {
  if (first.is_ok() && !status.is_ok()) first = std::move(status);
}

}  // namespace

Status CacheVfs::recover() {
  {  // a session that ended sends no release or forget any more
    std::lock_guard lock(mu_);
    files_.clear();
    dirs_.clear();
    lookups_.clear();
    open_handles_.clear();
  }
  AUTOSYNC_RETURN_IF_ERROR(index_.reset_open_counts());
  AUTOSYNC_ASSIGN_OR_RETURN(auto unlinked, index_.unlinked_inodes());
  for (Ino ino : unlinked)
    purge_if_unused(ino);

  AUTOSYNC_ASSIGN_OR_RETURN(auto removed_keys, index_.keys_being_removed());
  for (auto& key : removed_keys)
    add_tombstone(std::move(key));

  Status first_error;
  AUTOSYNC_ASSIGN_OR_RETURN(auto dirty, index_.unjournaled_dirty_inodes());
  size_t journaled_count = 0;
  for (Ino ino : dirty) {
    Status journaled = journal_unjournaled(ino);
    if (journaled.is_ok()) {
      ++journaled_count;
      continue;
    }
    spdlog::warn("recover inode {}: {}", ino, journaled.to_string());
    keep_first(first_error, std::move(journaled).context("recover inode " + std::to_string(ino)));
  }
  if (!dirty.empty()) {
    spdlog::info("recover: journaled the changes a crash left behind in {} of {} inodes",
                 journaled_count, dirty.size());
  }
  keep_first(first_error, budget_.resync());
  return first_error;
}

// The journal row the inode's last change would have got at its release.
Status CacheVfs::journal_unjournaled(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  if (rec.kind == index::InodeKind::kFile) {
    return journal_upload(ino, Durability::kConnectionDefault).status();  // fetches what is missing
  }
  if (ino == kRootIno || rec.kind == index::InodeKind::kSpecial) return Status::ok();
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  AUTOSYNC_ASSIGN_OR_RETURN(auto path, txn.path_of(ino));
  index::JournalEntry row;
  row.op = rec.is_dir() ? index::JournalOp::kMkdirMarker : index::JournalOp::kUpload;
  row.ino = ino;
  row.key = path;
  row.gen = rec.local_gen;
  if (!rec.is_dir() && rec.remote) row.base_etag = rec.remote->etag;
  AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
  return commit_and_ring(txn);
}

}  // namespace autosync::vfs
