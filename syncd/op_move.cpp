// kMove: server-side copy src_key -> key, then delete src_key, then point the inode's
// remote key at the new place. A src_key ending in '/' is a directory: every object under
// the prefix moves (the marker too), and every inode below the directory whose remote key
// was under the old prefix follows.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <map>

#include "syncd/journal_ops.h"
#include "syncd/op_util.h"

namespace autosync::syncd {
namespace {

using MovedObjects = std::map<std::string, backends::ObjectInfo>;  // old key -> new object

// Copies one object and removes the source. A source already gone is fine when the
// destination exists (an earlier attempt got that far); nullopt when neither exists.
Result<std::optional<backends::ObjectInfo>> move_object(const OpContext& ctx, std::string_view src,
                                                        std::string_view dst,
                                                        const backends::Conditions& conditions) {
  const backends::CopyOptions options{
      .replace_metadata = false, .metadata = {}, .source_conditions = conditions};
  auto copied = ctx.store.copy(src, dst, options);
  if (!copied.is_ok()) {
    if (!copied.status().is(ErrorKind::kNotFound)) {
      return as_conflict(std::move(copied).take_status(), src, conditions)
          .context(fmt::format("move {} to {}", src, dst));
    }
    auto existing = ctx.store.head(dst);
    if (existing.is_ok()) return std::optional(std::move(existing).value());
    if (existing.status().is(ErrorKind::kNotFound)) return std::optional<backends::ObjectInfo>();
    return std::move(existing).take_status().context(fmt::format("move {} to {}", src, dst));
  }
  AUTOSYNC_RETURN_IF_ERROR(ctx.store.remove(src).context(fmt::format("move {}: delete", src)));
  return std::optional(std::move(copied).value());
}

Result<std::vector<std::string>> list_all(backends::ObjectStore& store, const std::string& prefix) {
  std::vector<std::string> keys;
  backends::ListOptions options{
      .prefix = prefix, .delimiter = "", .continuation_token = "", .max_keys = 1000};
  do {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, store.list(options));
    for (auto& object : page.objects)
      keys.push_back(std::move(object.key));
    options.continuation_token = page.next_token;
  } while (!options.continuation_token.empty());
  return keys;
}

Result<MovedObjects> move_prefix(const OpContext& ctx, const std::string& src,
                                 const std::string& dst) {
  // Listed in full first: deleting while paging could shift a store's continuation.
  AUTOSYNC_ASSIGN_OR_RETURN(auto keys, list_all(ctx.store, src));
  // Not every store lists the prefix's own marker (the local backend keeps it as the
  // directory itself), so it is looked up by name.
  if (keys.empty() || keys.front() != src) {
    auto marker = ctx.store.head(src);
    if (marker.is_ok()) {
      keys.insert(keys.begin(), src);
    } else if (!marker.status().is(ErrorKind::kNotFound)) {
      return std::move(marker).take_status().context(fmt::format("move {}", src));
    }
  }
  MovedObjects moved;
  for (const auto& key : keys) {
    const std::string target = dst + key.substr(src.size());
    AUTOSYNC_ASSIGN_OR_RETURN(auto info, move_object(ctx, key, target, {}));
    if (info) moved.emplace(key, std::move(*info));
  }
  return moved;
}

// The new remote version of `inode` after its object moved from under `src` to under `dst`.
std::optional<SyncedInode> follow(const index::InodeRecord& inode, const std::string& src,
                                  const std::string& dst, const MovedObjects& moved) {
  if (!inode.remote || !inode.remote->key.starts_with(src)) return std::nullopt;
  index::RemoteVersion remote = *inode.remote;
  remote.key = dst + remote.key.substr(src.size());
  if (auto it = moved.find(inode.remote->key); it != moved.end()) {
    remote.etag = it->second.etag;
    remote.version = it->second.version_id;
  }  // else an earlier attempt moved it: the key is all we can correct
  return SyncedInode{.ino = inode.ino, .gen = inode.synced_gen, .remote = std::move(remote)};
}

// Every inode in the tree under `dir` (and `dir` itself) whose object moved.
Result<std::vector<SyncedInode>> follow_tree(const OpContext& ctx, index::Ino dir,
                                             const std::string& src, const std::string& dst,
                                             const MovedObjects& moved) {
  std::vector<SyncedInode> synced;
  std::deque<index::Ino> todo{dir};
  while (!todo.empty()) {
    const index::Ino current = todo.front();
    todo.pop_front();
    AUTOSYNC_ASSIGN_OR_RETURN(auto inode, ctx.index.get(current));
    if (auto s = follow(inode, src, dst, moved)) synced.push_back(std::move(*s));
    if (!inode.is_dir()) continue;
    std::string after;
    for (;;) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto entries, ctx.index.list_dir(current, after, 1000));
      if (entries.empty()) break;
      for (const auto& entry : entries)
        todo.push_back(entry.ino);
      after = entries.back().name;
    }
  }
  return synced;
}

OpResult move_directory(const OpContext& ctx, const index::JournalEntry& row) {
  const std::string src = row.src_key;
  const std::string dst = marker_key(row.key);
  AUTOSYNC_ASSIGN_OR_RETURN(auto moved, move_prefix(ctx, src, dst));
  spdlog::info("move {} -> {}: {} objects", src, dst, moved.size());
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  if (!inode) return std::vector<SyncedInode>{};
  return follow_tree(ctx, inode->ino, src, dst, moved);
}

OpResult move_file(const OpContext& ctx, const index::JournalEntry& row) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto inode, inode_of(ctx.index, row));
  backends::Conditions conditions;
  if (inode && inode->remote && inode->remote->key == row.src_key) {
    conditions.if_match = inode->remote->etag;  // never move away someone else's version
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto info, move_object(ctx, row.src_key, row.key, conditions));
  if (!info) {
    spdlog::info("move {} -> {}: nothing on the store to move", row.src_key, row.key);
    return std::vector<SyncedInode>{};
  }
  if (!inode || !inode->remote) return std::vector<SyncedInode>{};
  // Only where the data lives changes: the generation on the store stays what it was.
  return std::vector<SyncedInode>{{.ino = inode->ino,
                                   .gen = inode->synced_gen,
                                   .remote = remote_from(*info, row.key, inode->remote->mtime_ns)}};
}

}  // namespace

OpResult run_move(const OpContext& ctx, const index::JournalEntry& row) {
  if (row.src_key.ends_with('/')) return move_directory(ctx, row);
  return move_file(ctx, row);
}

}  // namespace autosync::syncd
