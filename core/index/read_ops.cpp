// ReadTxn: lookups, paths, listings, xattrs, ranges and cache queries.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {

using detail::blob_string;
using detail::name_blob;

namespace {
// Deeper than any real tree; a longer walk up means a cycle in dentries.
constexpr int kMaxDepth = 4096;
}  // namespace

int64_t ReadTxn::now_ns() const {
  if (options_->clock) return options_->clock();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<InodeRecord> ReadTxn::get(Ino ino) {
  return detail::load_inode(db(), ino, "get");
}

Result<std::optional<InodeRecord>> ReadTxn::lookup(Ino parent, std::string_view name) {
  const std::string what = detail::describe("lookup", parent, name);
  AUTOSYNC_RETURN_IF_ERROR(detail::check_name(name, what));
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), parent, what).status());
  return detail::load_child(db(), parent, name);
}

Result<std::string> ReadTxn::path_of(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT parent, name FROM dentries WHERE ino = ?"
                                                " ORDER BY parent, name LIMIT 1"));
  std::vector<std::string> names;  // leaf first
  Ino at = ino;
  for (int depth = 0; at != kRootIno; ++depth) {
    if (depth == kMaxDepth) {
      return Status::error(ErrorKind::kCorrupt,
                           fmt::format("path of {}: deeper than {} levels", ino, kMaxDepth));
    }
    stmt->reset();
    AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, at).step());
    if (!found) return not_found(fmt::format("path of {}: inode {} has no name", ino, at));
    names.push_back(blob_string(stmt->blob(1)));
    at = stmt->uint64(0);
  }
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += *it;
  }
  return path;
}

Result<Ino> ReadTxn::parent_of(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT parent FROM dentries WHERE ino = ? ORDER BY parent,"
                                     " name LIMIT 1"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, ino).step());
  if (!found) return not_found(fmt::format("parent of {}: it has no name", ino));
  return Ino{stmt->uint64(0)};
}

Result<std::vector<DirEntryRecord>> ReadTxn::list_dir(Ino dir, std::string_view after_name,
                                                      size_t limit) {
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), dir, fmt::format("list {}", dir)).status());
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT d.name, d.ino, i.mode FROM dentries d JOIN inodes i"
                                     " ON i.ino = d.ino WHERE d.parent = ? AND d.name > ?"
                                     " ORDER BY d.name LIMIT ?"));
  stmt->bind(1, dir).bind(2, name_blob(after_name)).bind(3, limit);
  std::vector<DirEntryRecord> entries;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) break;
    entries.push_back(DirEntryRecord{blob_string(stmt->blob(0)), stmt->uint64(1),
                                     static_cast<mode_t>(stmt->int64(2))});
  }
  return entries;
}

Result<uint64_t> ReadTxn::child_count(Ino dir) {
  AUTOSYNC_RETURN_IF_ERROR(
      detail::load_dir(db(), dir, fmt::format("count children of {}", dir)).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT count(*) FROM dentries WHERE parent = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, dir).step().status());
  return stmt->uint64(0);
}

Result<bool> ReadTxn::is_empty(Ino dir) {
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), dir, fmt::format("is {} empty", dir)).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT 1 FROM dentries WHERE parent = ? LIMIT 1"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool any, stmt->bind(1, dir).step());
  return !any;
}

Result<std::string> ReadTxn::get_xattr(Ino ino, std::string_view name) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT value FROM xattrs WHERE ino = ? AND name = ?"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, ino).bind(2, name).step());
  if (found) return blob_string(stmt->blob(0));
  AUTOSYNC_RETURN_IF_ERROR(detail::load_inode(db(), ino, "get xattr").status());
  return Status::error(ErrorKind::kNoAttribute,
                       fmt::format("get xattr {} of {}: no such attribute", name, ino));
}

Result<std::vector<std::string>> ReadTxn::list_xattrs(Ino ino) {
  AUTOSYNC_RETURN_IF_ERROR(detail::load_inode(db(), ino, "list xattrs").status());
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT name FROM xattrs WHERE ino = ? ORDER BY name"));
  stmt->bind(1, ino);
  std::vector<std::string> names;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return names;
    names.emplace_back(stmt->text(0));
  }
}

Result<content::RangeSet> ReadTxn::load_ranges(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT start_off, end_off FROM ranges WHERE ino = ?"));
  stmt->bind(1, ino);
  content::RangeSet set;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return set;
    set.add(stmt->uint64(0), stmt->uint64(1));
  }
}

Result<std::optional<DirListing>> ReadTxn::listed_at(Ino dir) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT listed_at_ns, complete FROM dir_state WHERE ino = ?"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, dir).step());
  if (!found) return std::optional<DirListing>();
  return std::optional<DirListing>(DirListing{stmt->int64(0), stmt->int64(1) != 0});
}

Result<std::vector<EvictionCandidate>> ReadTxn::eviction_candidates(size_t limit) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT ino, cached_bytes, last_access_ns FROM inodes"
                                     " WHERE cached_bytes > 0 AND kind = 1 AND pinned = 0"
                                     " AND open_count = 0 AND local_gen = synced_gen"
                                     " ORDER BY last_access_ns, ino LIMIT ?"));
  stmt->bind(1, limit);
  std::vector<EvictionCandidate> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return out;
    out.push_back(EvictionCandidate{stmt->uint64(0), stmt->uint64(1), stmt->int64(2)});
  }
}

Result<std::vector<Ino>> ReadTxn::unlinked_inodes() {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT ino FROM inodes WHERE nlink = 0 AND open_count = 0"
                                     " ORDER BY ino"));
  std::vector<Ino> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return out;
    out.push_back(stmt->uint64(0));
  }
}

}  // namespace autosync::index
