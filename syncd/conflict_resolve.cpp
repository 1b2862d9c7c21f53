// Conflict resolution: the decision and the store's part (conflict_resolve.h); the index's
// part is conflict_apply.cpp.
#include "syncd/conflict_resolve.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <climits>
#include <memory>

#include "backends/byte_io.h"
#include "syncd/conflict_apply.h"
#include "syncd/conflict_policy.h"
#include "syncd/op_util.h"

namespace autosync::syncd {
namespace {

constexpr unsigned kCopyNameAttempts = 8;

enum class Winner { kLocal, kRemote, kBoth };

Status store_changed_again(std::string_view key) {
  return transient(
      fmt::format("conflict on {}: the store changed again while it was resolved; "
                  "trying again",
                  key));
}

// The store's version at `key`, nullopt when there is none; attributes it does not name
// come from `local`.
Result<std::optional<TheirVersion>> look_at_theirs(const OpContext& ctx, std::string_view key,
                                                   const layout::FileMeta& local) {
  auto info = ctx.store.head(key);
  if (!info.is_ok()) {
    if (info.status().is(ErrorKind::kNotFound)) return std::optional<TheirVersion>();
    return std::move(info).take_status().context(fmt::format("head {}", key));
  }
  TheirVersion theirs{
      .info = std::move(info).value(), .meta = {}, .origin = {}, .symlink_target = {}};
  theirs.meta = layout::decode_meta(theirs.info, local);
  theirs.origin = layout::decode_origin(theirs.info);
  if (S_ISLNK(theirs.meta.mode) && theirs.info.size <= PATH_MAX) {
    backends::BufferSink body;
    backends::GetOptions get;
    get.conditions.if_match = theirs.info.etag;
    auto got = ctx.store.get(key, get, body);
    if (!got.is_ok()) return store_changed_again(key);
    theirs.symlink_target = body.take();
  }
  return std::optional<TheirVersion>(std::move(theirs));
}

layout::FileMeta local_meta(const index::InodeRecord& inode) {
  return {.mode = inode.mode, .uid = inode.uid, .gid = inode.gid, .mtime_ns = inode.mtime_ns};
}

Winner by_order(int64_t ours, int64_t theirs) {
  if (ours > theirs) return Winner::kLocal;
  if (theirs > ours) return Winner::kRemote;
  return Winner::kBoth;
}

Winner decide(ConflictPolicy policy, const ConflictOptions& options,
              const index::InodeRecord& inode, const TheirVersion& theirs) {
  switch (policy) {
    case ConflictPolicy::kLocal:
      return Winner::kLocal;
    case ConflictPolicy::kRemote:
      return Winner::kRemote;
    case ConflictPolicy::kNewest:  // whole seconds: what s3fs-style mtime metadata holds
      return by_order(inode.mtime_ns / 1'000'000'000, theirs.meta.mtime_ns / 1'000'000'000);
    case ConflictPolicy::kPriority:
      return by_order(options.priority, theirs.origin.priority);
    case ConflictPolicy::kKeepBoth:
      break;
  }
  return Winner::kBoth;
}

index::ConflictRecord record_of(const OpContext& ctx, const index::JournalEntry& row,
                                const index::InodeRecord* inode, const TheirVersion* theirs,
                                ConflictPolicy policy) {
  index::ConflictRecord r;
  r.path = row.key;
  r.policy = std::string(policy_name(policy));
  r.time_ns = ctx.now_ns;
  r.local.host = ctx.conflicts->host;
  if (inode != nullptr) {
    r.local.size = inode->size;
    r.local.mtime_ns = inode->mtime_ns;
    if (inode->remote && inode->remote->key == row.key) r.local.etag = inode->remote->etag;
  }
  if (theirs != nullptr) {
    r.remote = {theirs->info.etag, theirs->info.size, theirs->meta.mtime_ns, theirs->origin.host};
  }
  return r;
}

index::VersionRecord version_of(const std::string& key, const backends::ObjectInfo& info,
                                int64_t mtime_ns, std::string host, bool uploaded) {
  return {.path = key,
          .ino = 0,
          .etag = info.etag,
          .version_id = info.version_id,
          .size = info.size,
          .mtime_ns = mtime_ns,
          .host = std::move(host),
          .uploaded = uploaded,
          .seen_ns = 0};
}

// Uploads the local version over `key` on the conditions given; a failed condition means
// the store moved again (retry).
Result<backends::ObjectInfo> upload_over(const OpContext& ctx, const index::InodeRecord& inode,
                                         const std::string& key, backends::Conditions conditions) {
  backends::PutOptions options{.metadata = meta_for(inode, ctx.conflicts),
                               .content_type = content_type_for(key),
                               .conditions = std::move(conditions)};
  auto info = upload_inode(ctx, inode, key, std::move(options));
  if (!info.is_ok() && info.status().is(ErrorKind::kPreconditionFailed)) {
    return store_changed_again(key);
  }
  return info;
}

// Keep-both's store part: the local version at a conflict name nobody has (here or there).
Result<std::pair<std::string, backends::ObjectInfo>> upload_copy(const OpContext& ctx,
                                                                 const index::InodeRecord& inode,
                                                                 const std::string& key) {
  const auto [dir_path, name] = split_key(key);
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(auto dir, txn.dir_at(dir_path));
  for (unsigned attempt = 1; attempt <= kCopyNameAttempts; ++attempt) {
    const std::string copy_name = conflict_name(name, ctx.now_ns, ctx.conflicts->host, attempt);
    if (dir) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto taken, txn.lookup(*dir, copy_name));
      if (taken) continue;
    }
    const std::string copy_key = std::string(dir_path) + copy_name;
    backends::Conditions none;
    none.if_none_match.assign(1, '*');
    backends::PutOptions options{.metadata = meta_for(inode, ctx.conflicts),
                                 .content_type = content_type_for(copy_key),
                                 .conditions = none};
    auto info = upload_inode(ctx, inode, copy_key, std::move(options));
    if (info.is_ok()) return std::pair{copy_key, std::move(info).value()};
    if (!info.status().is(ErrorKind::kPreconditionFailed)) return std::move(info).take_status();
  }
  return transient(fmt::format("conflict on {}: no free conflict-copy name", key));
}

OpResult keep_both(const OpContext& ctx, const index::JournalEntry& row,
                   const index::InodeRecord& inode, const TheirVersion& theirs,
                   index::ConflictRecord record) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto copy, upload_copy(ctx, inode, row.key));
  auto& [copy_key, info] = copy;
  record.copy_path = copy_key;
  record.local.etag = info.etag;
  record.resolution = fmt::format("kept both: the local version is now {}", copy_key);
  record.resolved = false;  // two files where there was one: the user should look
  ctx.follow_up->in_txn.push_back(keep_both_step({.ino = inode.ino,
                                                  .row_seq = row.seq,
                                                  .key = row.key,
                                                  .copy_key = copy_key,
                                                  .copy_etag = info.etag,
                                                  .theirs = inode_for(row.key, theirs)}));
  ctx.follow_up->in_txn.push_back(record_step(std::move(record)));
  note_uploaded_version(ctx, inode, copy_key, info);
  return std::vector<SyncedInode>{
      {.ino = inode.ino, .gen = row.gen, .remote = remote_from(info, copy_key, inode.mtime_ns)}};
}

OpResult remote_wins(const OpContext& ctx, const index::JournalEntry& row,
                     const index::InodeRecord& inode, const TheirVersion& theirs,
                     index::ConflictRecord record) {
  record.resolution = "remote won: the local change was dropped";
  record.resolved = true;
  ctx.follow_up->in_txn.push_back(
      remote_wins_step(inode.ino, row.gen, row.seq, inode_for(row.key, theirs)));
  ctx.follow_up->in_txn.push_back(record_step(std::move(record)));
  content::ContentStore* content = &ctx.content;
  const index::Ino ino = inode.ino;
  ctx.follow_up->after_commit.push_back([content, ino] { (void)content->truncate(ino, 0); });
  return std::vector<SyncedInode>{};
}

OpResult local_wins(const OpContext& ctx, const index::JournalEntry& row,
                    const index::InodeRecord& inode, backends::Conditions conditions,
                    index::ConflictRecord record) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto info, upload_over(ctx, inode, row.key, std::move(conditions)));
  record.local.etag = info.etag;
  record.resolved = true;
  ctx.follow_up->in_txn.push_back(record_step(std::move(record)));
  note_uploaded_version(ctx, inode, row.key, info);
  return std::vector<SyncedInode>{
      {.ino = inode.ino, .gen = row.gen, .remote = remote_from(info, row.key, inode.mtime_ns)}};
}

}  // namespace

OpResult resolve_upload_conflict(const OpContext& ctx, const index::JournalEntry& row,
                                 const index::InodeRecord& inode, Status conflict) {
  if (ctx.conflicts == nullptr || ctx.follow_up == nullptr) return conflict;
  AUTOSYNC_ASSIGN_OR_RETURN(auto theirs, look_at_theirs(ctx, row.key, local_meta(inode)));
  if (theirs) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
    AUTOSYNC_ASSIGN_OR_RETURN(const bool leaving, txn.delete_pending(row.key, theirs->info.etag));
    if (leaving) {  // a file deleted here still has its object there: not a conflict
      return transient(
          fmt::format("{}: waiting for the delete of the object it replaces", row.key));
    }
  }
  const ConflictPolicy policy = policy_for(*ctx.conflicts, row.key);
  auto record = record_of(ctx, row, &inode, theirs ? &*theirs : nullptr, policy);
  if (!theirs) {  // deleted on the store: a modification beats a deletion
    record.kind = index::ConflictKind::kRemoteDeleted;
    record.resolution = "local kept: the file was deleted on the store";
    backends::Conditions absent;
    absent.if_none_match.assign(1, '*');
    return local_wins(ctx, row, inode, std::move(absent), std::move(record));
  }
  ctx.follow_up->in_txn.push_back(version_step(
      version_of(row.key, theirs->info, theirs->meta.mtime_ns, theirs->origin.host, false)));
  Winner winner = decide(policy, *ctx.conflicts, inode, *theirs);
  const bool resettable =
      inode.kind == index::InodeKind::kFile && inode.open_count == 0 && inode.local_gen == row.gen;
  if (winner == Winner::kRemote && !resettable) winner = Winner::kBoth;
  switch (winner) {
    case Winner::kLocal: {
      record.resolution = "local won: the remote change was overwritten";
      backends::Conditions current;
      current.if_match = theirs->info.etag;
      return local_wins(ctx, row, inode, std::move(current), std::move(record));
    }
    case Winner::kRemote:
      return remote_wins(ctx, row, inode, *theirs, std::move(record));
    case Winner::kBoth:
      break;
  }
  return keep_both(ctx, row, inode, *theirs, std::move(record));
}

OpResult resolve_delete_conflict(const OpContext& ctx, const index::JournalEntry& row,
                                 const backends::ObjectInfo& theirs_info, Status conflict) {
  if (ctx.conflicts == nullptr || ctx.follow_up == nullptr) return conflict;
  const auto [dir_path, name] = split_key(row.key);
  layout::FileMeta defaults{.mode = S_IFREG | 0644, .uid = 0, .gid = 0, .mtime_ns = 0};
  {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
    AUTOSYNC_ASSIGN_OR_RETURN(auto dir, txn.dir_at(dir_path));
    if (dir) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto holder, txn.lookup(*dir, name));
      // Another local file took the name and is on the store as this very version.
      if (holder && holder->remote && holder->remote->key == row.key &&
          holder->remote->etag == theirs_info.etag) {
        return std::vector<SyncedInode>{};
      }
    }
    AUTOSYNC_ASSIGN_OR_RETURN(auto root, txn.get(index::kRootIno));
    defaults.uid = root.uid;
    defaults.gid = root.gid;
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto theirs, look_at_theirs(ctx, row.key, defaults));
  if (!theirs) return std::vector<SyncedInode>{};  // deleted there too meanwhile: done
  const ConflictPolicy policy = policy_for(*ctx.conflicts, row.key);
  auto record = record_of(ctx, row, nullptr, &*theirs, policy);
  record.kind = index::ConflictKind::kLocalDeleted;
  record.local.etag = row.base_etag;
  record.resolved = true;
  auto resolution = std::make_shared<std::string>();
  ctx.follow_up->in_txn.push_back(restore_step(row.key, inode_for(row.key, *theirs), resolution));
  ctx.follow_up->in_txn.push_back(record_step(std::move(record), resolution));
  ctx.follow_up->in_txn.push_back(version_step(
      version_of(row.key, theirs->info, theirs->meta.mtime_ns, theirs->origin.host, false)));
  return std::vector<SyncedInode>{};
}

void note_uploaded_version(const OpContext& ctx, const index::InodeRecord& inode,
                           std::string_view key, const backends::ObjectInfo& written) {
  if (ctx.follow_up == nullptr) return;
  auto version = version_of(std::string(key), written, inode.mtime_ns,
                            ctx.conflicts ? ctx.conflicts->host : std::string(), true);
  version.ino = inode.ino;
  version.size =
      inode.kind == index::InodeKind::kSymlink ? inode.symlink_target.size() : inode.size;
  ctx.follow_up->in_txn.push_back(version_step(std::move(version)));
}

}  // namespace autosync::syncd
