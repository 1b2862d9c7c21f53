// kUpload: put the inode's bytes (a symlink's target) at the row's key, conditional on the
// version the local data was based on.
#include <fmt/format.h>

#include "backends/byte_io.h"
#include "syncd/conflict_resolve.h"
#include "syncd/journal_ops.h"
#include "syncd/multipart_resume.h"
#include "syncd/op_util.h"
#include "syncd/own_upload.h"

namespace autosync::syncd {
namespace {

// A file renamed while its first upload was in flight is uploaded again under its new name;
// the object that upload left at the old key is nobody's once the new one is written. It
// goes only while it is still that version (a HEAD: another file may have taken the name).
void remove_left_behind(const OpContext& ctx, const index::InodeRecord& inode,
                        std::string_view new_key) {
  if (!inode.remote || inode.remote->key == new_key || inode.remote->key.ends_with('/')) return;
  auto old = ctx.store.head(inode.remote->key);
  if (old.is_ok() && old->etag == inode.remote->etag) (void)ctx.store.remove(inode.remote->key);
}

// A file unlinked while its first upload ran got no delete row (it had no object then), so
// the object this upload wrote is nobody's: it goes now, while it is still that version.
// (An unlink after this look is caught when the pool records the upload: it journals the
// delete then.)
Result<bool> removed_if_unlinked(const OpContext& ctx, const index::JournalEntry& row,
                                 const backends::ObjectInfo& written) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto now, inode_of(ctx.index, row));
  if (now && now->nlink > 0) return false;
  auto current = ctx.store.head(row.key);
  if (current.is_ok() && current->etag != written.etag) return true;  // not ours any more
  if (!current.is_ok() && !current.status().is(ErrorKind::kNotFound)) {
    return std::move(current).take_status().context(fmt::format("head {}", row.key));
  }
  AUTOSYNC_RETURN_IF_ERROR(
      ctx.store.remove(row.key).context(fmt::format("remove unlinked {}", row.key)));
  return true;
}

// A failed condition may be this cache's own upload that a crash kept the index from
// recording (own_upload.h): that generation is on the store already, and an older one is
// the version this change replaces. Anything else stays the failure it was.
Result<backends::ObjectInfo> past_own_upload(const OpContext& ctx, const index::InodeRecord& inode,
                                             const index::JournalEntry& row,
                                             backends::PutOptions options, Status failed) {
  auto own = own_upload_at(ctx, row.key, inode.ino);
  if (!own.is_ok() || !own->has_value()) return failed;
  OwnUpload& found = **own;
  if (found.gen >= row.gen) return std::move(found.object);
  options.conditions = backends::Conditions{.if_match = found.object.etag, .if_none_match = {}};
  return upload_inode(ctx, inode, row.key, std::move(options));
}

}  // namespace

OpResult run_upload(const OpContext& ctx, const index::JournalEntry& row) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  // Purged meanwhile: its unlink journaled the delete of any object it had.
  if (!inode) return std::vector<SyncedInode>{};
  if (inode->is_dir()) return run_mkdir_marker(ctx, row);

  backends::PutOptions options{.metadata = meta_for(*inode, ctx.conflicts),
                               .content_type = content_type_for(row.key),
                               .conditions = base_conditions(*inode, row)};
  add_upload_token(ctx, inode->ino, row.gen, options.metadata);
  // A multipart upload this row began before (a killed daemon, a transient failure) goes on
  // where it stopped; one of older bytes is aborted.
  ResumableUpload resumable(ctx, *inode, row);
  AUTOSYNC_RETURN_IF_ERROR(resumable.prepare().context(fmt::format("upload {}", row.key)));
  Result<backends::ObjectInfo> info =
      upload_inode(ctx, *inode, row.key, options, &resumable.hooks());
  if (!info.is_ok() && info.status().is(ErrorKind::kPreconditionFailed)) {
    info = past_own_upload(ctx, *inode, row, options, std::move(info).take_status());
  }
  if (!info.is_ok()) {
    if (!info.status().is(ErrorKind::kPreconditionFailed)) {
      return std::move(info).take_status().context(fmt::format("upload {}", row.key));
    }
    // Another file holds the key now, and this one was unlinked: nothing of it belongs there.
    AUTOSYNC_ASSIGN_OR_RETURN(auto now, inode_of(ctx.index, row));
    if (!now || now->nlink == 0) return std::vector<SyncedInode>{};
    OpResult resolved = resolve_upload_conflict(ctx, row, *now, std::move(info).take_status());
    if (resolved.is_ok()) return resolved;
    return std::move(resolved).take_status().context(fmt::format("upload {}", row.key));
  }
  remove_left_behind(ctx, *inode, row.key);
  AUTOSYNC_ASSIGN_OR_RETURN(const bool removed, removed_if_unlinked(ctx, row, *info));
  if (removed) return std::vector<SyncedInode>{};
  note_uploaded_version(ctx, *inode, row.key, *info);
  // Even if local_gen moved on meanwhile, the store now holds row.gen; a newer row follows.
  return std::vector<SyncedInode>{
      {.ino = inode->ino, .gen = row.gen, .remote = remote_from(*info, row.key, inode->mtime_ns)}};
}

}  // namespace autosync::syncd
