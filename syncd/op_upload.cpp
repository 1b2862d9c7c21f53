// kUpload: put the inode's bytes (a symlink's target) at the row's key, conditional on the
// version the local data was based on.
#include <fmt/format.h>

#include "backends/byte_io.h"
#include "syncd/journal_ops.h"
#include "syncd/op_util.h"

namespace autosync::syncd {
namespace {

// Writes `data` at row.key with `options`, enforcing the conditions by HEAD when the store
// cannot (a small window remains there: the store offers nothing better).
Result<backends::ObjectInfo> conditional_upload(const OpContext& ctx, std::string_view key,
                                                const backends::ByteSource& data,
                                                backends::PutOptions options) {
  const backends::Conditions conditions = options.conditions;
  if (!ctx.store.capabilities().conditional_write) {
    AUTOSYNC_RETURN_IF_ERROR(check_by_head(ctx.store, key, conditions));
    options.conditions = {};
  }
  auto info = backends::upload(ctx.store, key, data, options, ctx.transfer);
  if (!info.is_ok()) return as_conflict(std::move(info).take_status(), key, conditions);
  return info;
}

Result<backends::ObjectInfo> upload_file_body(const OpContext& ctx, const index::InodeRecord& inode,
                                              std::string_view key,
                                              const backends::PutOptions& options) {
  AUTOSYNC_ASSIGN_OR_RETURN(UniqueFd fd, ctx.content.open_reader(inode.ino));
  const backends::FileSource source(fd.get(), 0, inode.size);
  return conditional_upload(ctx, key, source, options);
}

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

}  // namespace

OpResult run_upload(const OpContext& ctx, const index::JournalEntry& row) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  // Purged meanwhile: its unlink journaled the delete of any object it had.
  if (!inode) return std::vector<SyncedInode>{};
  if (inode->is_dir()) return run_mkdir_marker(ctx, row);

  backends::PutOptions options{.metadata = meta_for(*inode),
                               .content_type = content_type_for(row.key),
                               .conditions = base_conditions(*inode, row)};
  Result<backends::ObjectInfo> info = backends::ObjectInfo{};
  if (inode->kind == index::InodeKind::kSymlink) {
    const backends::BufferSource target(inode->symlink_target);
    info = conditional_upload(ctx, row.key, target, options);
  } else {
    info = upload_file_body(ctx, *inode, row.key, options);
  }
  if (!info.is_ok()) {
    // Another file holds the key now, and this one was unlinked: nothing of it belongs there.
    if (info.status().is(ErrorKind::kPreconditionFailed)) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto now, inode_of(ctx.index, row));
      if (!now || now->nlink == 0) return std::vector<SyncedInode>{};
    }
    return std::move(info).take_status().context(fmt::format("upload {}", row.key));
  }
  remove_left_behind(ctx, *inode, row.key);
  AUTOSYNC_ASSIGN_OR_RETURN(const bool removed, removed_if_unlinked(ctx, row, *info));
  if (removed) return std::vector<SyncedInode>{};
  // Even if local_gen moved on meanwhile, the store now holds row.gen; a newer row follows.
  return std::vector<SyncedInode>{
      {.ino = inode->ino, .gen = row.gen, .remote = remote_from(*info, row.key, inode->mtime_ns)}};
}

}  // namespace autosync::syncd
