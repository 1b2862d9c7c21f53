// Control commands on cached data (control_server.h); PATHS are mount-relative, a directory
// stands for everything under it the index knows:
//   pin {paths}   -> {files}           pinned = 1: never evicted. The bytes are fetched by
//                                      autosyncctl reading the files through the mount (the
//                                      mount's own read path), after this.
//   unpin {paths} -> {files}
//   evict {paths} -> {files, bytes, skipped}   drops the cached bytes of clean, closed,
//                                      unpinned files now; the others are counted in skipped.
//   gc            -> {files, bytes}    removes content files whose inode the index no longer
//                                      has (a purge or an eviction a crash interrupted).
//                                      Safe next to a mount: inode numbers are never reused,
//                                      and a file's content is written after its row exists.
//
// Eviction from this process: the mount caches descriptors of content files, so the file is
// truncated, never removed (a removed file would live on behind the mount's descriptor and
// later read as empty). The truncate happens inside the write transaction that forgets the
// ranges: holding the index's write lock, no open (add_open) or fetch (add_range) of the
// mount can slip between the check and the truncate. A crash between the truncate and the
// commit leaves ranges over an emptied file: the mount's next read of that clean file finds
// its content file short and fetches the bytes again (core/vfs/reads.cpp), never zeros.
#include <filesystem>

#include "syncd/control_paths.h"
#include "syncd/control_server.h"

namespace autosync::syncd {

// One file: its bytes gone (0 when kept) — see the comment at the top.
Result<uint64_t> evict_clean_file(ControlContext& ctx, index::Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.write());
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t dropped, txn.drop_clean_cache(ino));
  if (dropped == 0) return uint64_t{0};
  AUTOSYNC_RETURN_IF_ERROR(ctx.content.truncate(ino, 0));
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  return dropped;
}

namespace {

Result<Json> set_pinned(ControlContext& ctx, const Json& request, bool pinned) {
  AUTOSYNC_ASSIGN_OR_RETURN(const auto paths, string_list_arg(request, "paths"));
  uint64_t files = 0;
  for (const auto& path : paths) {
    const Status walked =
        walk_tree(ctx.index, path, [&](const std::string&, const index::InodeRecord& rec) {
          if (rec.kind != index::InodeKind::kFile || rec.pinned == pinned) return Status();
          index::AttrChanges changes;
          changes.pinned = pinned;
          AUTOSYNC_RETURN_IF_ERROR(ctx.index.set_attrs(rec.ino, changes).status());
          ++files;
          return Status();
        });
    AUTOSYNC_RETURN_IF_ERROR(walked);
  }
  return Json{{"files", files}};
}

Result<Json> evict(ControlContext& ctx, const Json& request) {
  AUTOSYNC_ASSIGN_OR_RETURN(const auto paths, string_list_arg(request, "paths"));
  uint64_t files = 0, bytes = 0, skipped = 0;
  for (const auto& path : paths) {
    const Status walked =
        walk_tree(ctx.index, path, [&](const std::string&, const index::InodeRecord& rec) {
          if (rec.kind != index::InodeKind::kFile || rec.cached_bytes == 0) return Status();
          AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t freed, evict_clean_file(ctx, rec.ino));
          if (freed == 0) {
            ++skipped;  // dirty, open or pinned
          } else {
            ++files;
            bytes += freed;
          }
          return Status();
        });
    AUTOSYNC_RETURN_IF_ERROR(walked);
  }
  return Json{{"files", files}, {"bytes", bytes}, {"skipped", skipped}};
}

Result<Json> gc(ControlContext& ctx) {
  uint64_t files = 0, bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(ctx.content.dir(), ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const index::Ino ino = std::stoull(name);
    if (it->path() != ctx.content.path_of(ino)) continue;  // not where the store keeps it
    auto rec = ctx.index.get(ino);
    if (rec || !rec.status().is(ErrorKind::kNotFound)) continue;
    auto allocated = ctx.content.allocated_bytes(ino);
    const uint64_t size = allocated ? *allocated : 0;
    AUTOSYNC_RETURN_IF_ERROR(ctx.content.remove(ino));
    ++files;
    bytes += size;
  }
  if (ec) return from_errno(ec.value(), "gc: " + ctx.content.dir().string());
  return Json{{"files", files}, {"bytes", bytes}};
}

}  // namespace

void add_cache_commands(ControlCommands& commands, ControlContext& context) {
  commands["pin"] = [&context](const Json& r) { return set_pinned(context, r, true); };
  commands["unpin"] = [&context](const Json& r) { return set_pinned(context, r, false); };
  commands["evict"] = [&context](const Json& r) { return evict(context, r); };
  commands["gc"] = [&context](const Json&) { return gc(context); };
}

}  // namespace autosync::syncd
