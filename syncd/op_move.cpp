// kMove: server-side copy src_key -> key, then delete src_key, then point the inode's
// remote key at the new place. A src_key ending in '/' is a directory: every object under
// the prefix moves (the marker too), and every inode below the directory whose remote key
// was under the old prefix follows.
//
// A directory's objects are copied move_concurrency at a time, from the listing's size (no
// HEAD per object); each source is deleted only once its copy is on the store (in one
// batch request per 1,000 where the store has one). A crash or failure part way leaves
// every object at its old key, its new key or both, and a retry lists the prefix again.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <map>

#include "backends/transfer/parallel.h"
#include "syncd/journal_ops.h"
#include "syncd/op_util.h"

namespace autosync::syncd {
namespace {

using MovedObjects = std::map<std::string, backends::ObjectInfo>;  // old key -> new object

constexpr size_t kBatch = 1000;  // remove_many's limit, and the list page size

struct Copied {
  std::optional<backends::ObjectInfo> object;  // at the new key; nullopt: nowhere to be seen
  bool source_left = false;                    // the source still needs deleting
};

// Copies one object. A source already gone is fine when the destination exists (an earlier
// attempt got that far); then nothing is left to delete.
Result<Copied> copy_object(const OpContext& ctx, std::string_view src, std::string_view dst,
                           const backends::CopyOptions& options) {
  auto copied = ctx.store.copy(src, dst, options);
  if (copied.is_ok()) return Copied{std::move(copied).value(), true};
  if (!copied.status().is(ErrorKind::kNotFound)) {
    return as_conflict(std::move(copied).take_status(), src, options.source_conditions)
        .context(fmt::format("move {} to {}", src, dst));
  }
  auto existing = ctx.store.head(dst);
  if (existing.is_ok()) return Copied{std::move(existing).value(), false};
  if (existing.status().is(ErrorKind::kNotFound)) return Copied{};
  return std::move(existing).take_status().context(fmt::format("move {} to {}", src, dst));
}

Result<std::vector<backends::ObjectInfo>> list_all(backends::ObjectStore& store,
                                                   const std::string& prefix) {
  std::vector<backends::ObjectInfo> objects;
  backends::ListOptions options{
      .prefix = prefix, .delimiter = "", .continuation_token = "", .max_keys = kBatch};
  do {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, store.list(options));
    for (auto& object : page.objects)
      objects.push_back(std::move(object));
    options.continuation_token = page.next_token;
  } while (!options.continuation_token.empty());
  return objects;
}

// Deletes the sources whose copies are done: one request where the store batches deletes,
// else one per key (then already done by the copy tasks).
Status remove_sources(const OpContext& ctx, std::span<const backends::ObjectInfo> sources,
                      const std::vector<Copied>& copies) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (copies[i].source_left) keys.push_back(sources[i].key);
  }
  if (keys.empty()) return {};
  AUTOSYNC_ASSIGN_OR_RETURN(auto failed, ctx.store.remove_many(keys));
  if (failed.empty()) return {};
  return std::move(failed.front().status)
      .context(fmt::format("move: delete {} ({} of {} keys not deleted)", failed.front().key,
                           failed.size(), keys.size()));
}

// Moves up to kBatch objects listed under `src` to the same names under `dst`.
Status move_batch(const OpContext& ctx, std::span<const backends::ObjectInfo> sources,
                  const std::string& src, const std::string& dst, MovedObjects& moved) {
  const bool batch_delete = ctx.store.capabilities().batch_delete;
  std::vector<Copied> copies(sources.size());
  auto failure = backends::run_parallel(
      sources.size(), std::max(1U, ctx.move_concurrency), [&](size_t i) -> Status {
        const auto& source = sources[i];
        const backends::CopyOptions options{.replace_metadata = false,
                                            .metadata = {},
                                            .source_conditions = {},
                                            .listed_source = source};
        AUTOSYNC_ASSIGN_OR_RETURN(
            copies[i], copy_object(ctx, source.key, dst + source.key.substr(src.size()), options));
        if (batch_delete || !copies[i].source_left) return {};
        AUTOSYNC_RETURN_IF_ERROR(
            ctx.store.remove(source.key).context(fmt::format("move {}: delete", source.key)));
        copies[i].source_left = false;
        return {};
      });
  // Sources already copied go even when another copy failed: the retry has less to do.
  Status removed = batch_delete ? remove_sources(ctx, sources, copies) : Status{};
  if (failure) return std::move(failure->status);
  AUTOSYNC_RETURN_IF_ERROR(removed);
  for (size_t i = 0; i < sources.size(); ++i) {
    if (copies[i].object) moved.emplace(sources[i].key, std::move(*copies[i].object));
  }
  return {};
}

Result<MovedObjects> move_prefix(const OpContext& ctx, const std::string& src,
                                 const std::string& dst) {
  // Listed in full first: deleting while paging could shift a store's continuation.
  AUTOSYNC_ASSIGN_OR_RETURN(auto objects, list_all(ctx.store, src));
  // Not every store lists the prefix's own marker (the local backend keeps it as the
  // directory itself), so it is looked up by name.
  if (objects.empty() || objects.front().key != src) {
    auto marker = ctx.store.head(src);
    if (marker.is_ok()) {
      objects.insert(objects.begin(), std::move(marker).value());
    } else if (!marker.status().is(ErrorKind::kNotFound)) {
      return std::move(marker).take_status().context(fmt::format("move {}", src));
    }
  }
  MovedObjects moved;
  const std::span<const backends::ObjectInfo> all(objects);
  for (size_t start = 0; start < all.size(); start += kBatch) {
    const auto batch = all.subspan(start, std::min(kBatch, all.size() - start));
    AUTOSYNC_RETURN_IF_ERROR(move_batch(ctx, batch, src, dst, moved));
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
  const backends::CopyOptions options{.replace_metadata = false,
                                      .metadata = {},
                                      .source_conditions = conditions,
                                      .listed_source = std::nullopt};
  AUTOSYNC_ASSIGN_OR_RETURN(auto copied, copy_object(ctx, row.src_key, row.key, options));
  if (copied.source_left) {
    AUTOSYNC_RETURN_IF_ERROR(
        ctx.store.remove(row.src_key).context(fmt::format("move {}: delete", row.src_key)));
  }
  auto& info = copied.object;
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
