// kDelete, kMkdirMarker, kRmdirMarker, kSetMeta: the one-request journal operations.
#include <fmt/format.h>
#include <sys/stat.h>

#include "backends/byte_io.h"
#include "core/layout/object_meta.h"
#include "syncd/conflict_resolve.h"
#include "syncd/journal_ops.h"
#include "syncd/op_util.h"
#include "syncd/own_upload.h"

namespace autosync::syncd {
namespace {

Status conflict(std::string message) {
  return Status::error(ErrorKind::kPreconditionFailed, "conflict: " + std::move(message));
}

// For a delete of an object we know the version of: the store's object when it holds
// another version (changed behind our back, or another file took the name: deleting it
// would lose that), else nullopt. The version is the inode's while it lives, else the one
// the row was journaled for.
Result<std::optional<backends::ObjectInfo>> changed_object(
    const OpContext& ctx, const std::optional<index::InodeRecord>& inode,
    const index::JournalEntry& row) {
  const std::string& key = row.key;
  std::string expected = row.base_etag;
  if (inode) expected = inode->remote && inode->remote->key == key ? inode->remote->etag : "";
  if (expected.empty()) return std::optional<backends::ObjectInfo>();
  auto info = ctx.store.head(key);
  if (!info.is_ok()) {
    if (info.status().is(ErrorKind::kNotFound)) return std::optional<backends::ObjectInfo>();
    return std::move(info).take_status().context(fmt::format("head {}", key));
  }
  if (info->etag == expected) return std::optional<backends::ObjectInfo>();
  return std::optional<backends::ObjectInfo>(std::move(info).value());
}

}  // namespace

OpResult run_delete(const OpContext& ctx, const index::JournalEntry& row) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  AUTOSYNC_ASSIGN_OR_RETURN(auto changed, changed_object(ctx, inode, row));
  if (changed) {
    const std::string expected = inode && inode->remote ? inode->remote->etag : row.base_etag;
    return resolve_delete_conflict(
        ctx, row, *changed,
        conflict(fmt::format("{} changed on the store (etag {}, expected {}); not deleted", row.key,
                             changed->etag, expected)));
  }
  // remove() of a missing key succeeds (ObjectStore contract): already gone is fine.
  AUTOSYNC_RETURN_IF_ERROR(ctx.store.remove(row.key).context(fmt::format("delete {}", row.key)));
  return std::vector<SyncedInode>{};
}

OpResult run_mkdir_marker(const OpContext& ctx, const index::JournalEntry& row) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  const std::string key = marker_key(row.key);
  index::InodeRecord attrs;  // a directory removed meanwhile still gets sane metadata
  attrs.mode = S_IFDIR | 0755;
  const index::InodeRecord& source = inode ? *inode : attrs;
  const backends::PutOptions options{.metadata = meta_for(source),
                                     .content_type = std::string(layout::kDirContentType),
                                     .conditions = {}};
  const backends::BufferSource empty("");
  AUTOSYNC_ASSIGN_OR_RETURN(auto info, ctx.store.put(key, empty, options));
  if (!inode) return std::vector<SyncedInode>{};
  return std::vector<SyncedInode>{
      {.ino = inode->ino, .gen = row.gen, .remote = remote_from(info, key, inode->mtime_ns)}};
}

OpResult run_rmdir_marker(const OpContext& ctx, const index::JournalEntry& row) {
  const std::string key = marker_key(row.key);
  AUTOSYNC_RETURN_IF_ERROR(ctx.store.remove(key).context(fmt::format("rmdir marker {}", key)));
  return std::vector<SyncedInode>{};
}

OpResult run_set_meta(const OpContext& ctx, const index::JournalEntry& row) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  // Gone, or never on the store: the upload that puts it there carries the metadata.
  if (!inode || !inode->remote) return std::vector<SyncedInode>{};
  // A marker is empty: writing it anew with the metadata is one request, where a copy onto
  // itself is two on S3 (a HEAD for the content type, then the copy).
  if (inode->is_dir()) return run_mkdir_marker(ctx, row);
  const std::string& key = row.key;
  backends::CopyOptions options{.replace_metadata = true,
                                .metadata = meta_for(*inode, ctx.conflicts),
                                .source_conditions = {},
                                .listed_source = std::nullopt};
  add_upload_token(ctx, inode->ino, row.gen, options.metadata);
  if (inode->remote->key == key) options.source_conditions.if_match = inode->remote->etag;
  auto info = ctx.store.copy(key, key, options);
  if (!info.is_ok() && info.status().is(ErrorKind::kPreconditionFailed)) {
    // Our own write that a crash kept the index from recording (own_upload.h) is the version
    // to set the metadata on; anyone else's is a conflict.
    auto own = own_upload_at(ctx, key, inode->ino);
    if (own.is_ok() && own->has_value()) {
      options.source_conditions.if_match = (*own)->object.etag;
      info = ctx.store.copy(key, key, options);
    }
  }
  if (!info.is_ok()) {
    if (info.status().is(ErrorKind::kNotFound)) {
      return conflict(fmt::format("{} was deleted on the store meanwhile; metadata not set", key));
    }
    return as_conflict(std::move(info).take_status(), key, options.source_conditions)
        .context(fmt::format("setmeta {}", key));
  }
  return std::vector<SyncedInode>{
      {.ino = inode->ino, .gen = row.gen, .remote = remote_from(*info, key, inode->mtime_ns)}};
}

}  // namespace autosync::syncd
