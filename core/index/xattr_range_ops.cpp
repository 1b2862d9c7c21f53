// WriteTxn: extended attributes and cached byte ranges.
#include <fmt/format.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {
namespace {

constexpr size_t kMaxXattrName = 255;                                 // XATTR_NAME_MAX
constexpr size_t kMaxXattrValue = 64UL * 1024;                        // XATTR_SIZE_MAX
constexpr uint64_t kMaxOffset = std::numeric_limits<int64_t>::max();  // SQLite INTEGER

Status set_ctime_now(db::Database& db, Ino ino, int64_t now) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db.prepare_cached("UPDATE inodes SET ctime_ns = ? WHERE ino = ?"));
  return stmt->bind(1, now).bind(2, ino).run();
}

Status check_xattr(std::string_view name, std::string_view value, std::string_view what) {
  if (name.empty()) return invalid(std::string(what) + ": empty attribute name");
  if (name.size() > kMaxXattrName || value.size() > kMaxXattrValue) {
    return Status::error(ErrorKind::kTooBig,
                         fmt::format("{}: name of {} bytes or value of {} bytes over the limit",
                                     what, name.size(), value.size()));
  }
  return Status::ok();
}

}  // namespace

Status WriteTxn::set_xattr(Ino ino, std::string_view name, std::string_view value, int flags) {
  const std::string what = fmt::format("set xattr {} of {}", name, ino);
  AUTOSYNC_RETURN_IF_ERROR(check_xattr(name, value, what));
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0 || flags == (XATTR_CREATE | XATTR_REPLACE)) {
    return invalid(fmt::format("{}: bad flags {:#x}", what, flags));
  }
  AUTOSYNC_RETURN_IF_ERROR(detail::load_inode(db(), ino, what).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto exists,
                            db().prepare_cached("SELECT 1 FROM xattrs WHERE ino = ? AND name = ?"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool present, exists->bind(1, ino).bind(2, name).step());
  if (present && (flags & XATTR_CREATE) != 0) {
    return Status::error(ErrorKind::kAlreadyExists, what + ": attribute exists");
  }
  if (!present && (flags & XATTR_REPLACE) != 0) {
    return Status::error(ErrorKind::kNoAttribute, what + ": no such attribute");
  }
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("INSERT OR REPLACE INTO xattrs (ino, name, value) VALUES (?, ?, ?)"));
  AUTOSYNC_RETURN_IF_ERROR(
      stmt->bind(1, ino).bind(2, name).bind(3, detail::name_blob(value)).run());
  return set_ctime_now(db(), ino, now_ns());
}

Status WriteTxn::remove_xattr(Ino ino, std::string_view name) {
  const std::string what = fmt::format("remove xattr {} of {}", name, ino);
  AUTOSYNC_RETURN_IF_ERROR(detail::load_inode(db(), ino, what).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("DELETE FROM xattrs WHERE ino = ? AND name = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, ino).bind(2, name).run());
  if (db().changes() == 0) {
    return Status::error(ErrorKind::kNoAttribute, what + ": no such attribute");
  }
  return set_ctime_now(db(), ino, now_ns());
}

// Merges [start, end) with every range it overlaps or touches: one row replaces them.
// Returns how many of its bytes were not cached before.
Result<uint64_t> WriteTxn::merge_range(Ino ino, uint64_t start, uint64_t end) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto overlapping,
      db().prepare_cached("DELETE FROM ranges WHERE ino = ?1 AND start_off <= ?3 AND"
                          " end_off >= ?2 RETURNING start_off, end_off"));
  overlapping->bind(1, ino).bind(2, start).bind(3, end);
  uint64_t merged_start = start, merged_end = end, covered = 0;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, overlapping->step());
    if (!row) break;
    merged_start = std::min(merged_start, overlapping->uint64(0));
    merged_end = std::max(merged_end, overlapping->uint64(1));
    covered += overlapping->uint64(1) - overlapping->uint64(0);
  }
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto insert,
      db().prepare_cached("INSERT INTO ranges (ino, start_off, end_off) VALUES (?, ?, ?)"));
  AUTOSYNC_RETURN_IF_ERROR(insert->bind(1, ino).bind(2, merged_start).bind(3, merged_end).run());
  return (merged_end - merged_start) - covered;
}

// cached_bytes grows by the bytes of [start, end) that were not cached before.
Result<uint64_t> WriteTxn::add_range(Ino ino, uint64_t start, uint64_t end) {
  const std::string what = fmt::format("add range [{}, {}) to {}", start, end, ino);
  if (start > end || end > kMaxOffset) return invalid(what + ": bad range");
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, what));
  if (start == end) return rec.cached_bytes;
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t added, merge_range(ino, start, end));
  rec.cached_bytes += added;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return rec.cached_bytes;
}

// What set_attrs (size, mtime), add_range and bump_local_gen would do for a write, in one
// load and one store of the inode row: a write is the commonest change there is.
Result<WriteTxn::Written> WriteTxn::record_write(Ino ino, uint64_t start, uint64_t end,
                                                 int64_t now) {
  const std::string what = fmt::format("record a write of [{}, {}) to {}", start, end, ino);
  if (start >= end || end > kMaxOffset) return invalid(what + ": bad range");
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, what));
  if (rec.kind != InodeKind::kFile) return invalid(what + ": not a regular file");
  // An extension past the old end is cached too: the hole before `start` reads as zeros.
  const uint64_t from = end > rec.size ? std::min(start, rec.size) : start;
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t added, merge_range(ino, from, end));
  rec.cached_bytes += added;
  rec.size = std::max(rec.size, end);
  rec.mtime_ns = now;
  rec.ctime_ns = now;
  rec.local_gen += 1;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return Written{.inode = std::move(rec), .newly_cached = added};
}

Status WriteTxn::set_cached_bytes(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("UPDATE inodes SET cached_bytes = (SELECT coalesce(sum(end_off -"
                          " start_off), 0) FROM ranges WHERE ino = ?1) WHERE ino = ?1"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, ino).run());
  if (db().changes() == 0) return not_found(fmt::format("ranges of {}: no such inode", ino));
  return Status::ok();
}

Result<uint64_t> WriteTxn::truncate_ranges(Ino ino, uint64_t size) {
  const int64_t cut = static_cast<int64_t>(std::min(size, kMaxOffset));
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto drop, db().prepare_cached("DELETE FROM ranges WHERE ino = ? AND start_off >= ?"));
  AUTOSYNC_RETURN_IF_ERROR(drop->bind(1, ino).bind(2, cut).run());
  AUTOSYNC_ASSIGN_OR_RETURN(auto shorten,
                            db().prepare_cached("UPDATE ranges SET end_off = ?2 WHERE ino = ?1 AND"
                                                " start_off < ?2 AND end_off > ?2"));
  AUTOSYNC_RETURN_IF_ERROR(shorten->bind(1, ino).bind(2, cut).run());
  AUTOSYNC_RETURN_IF_ERROR(set_cached_bytes(ino));
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, "truncate ranges"));
  return rec.cached_bytes;
}

Status WriteTxn::clear_ranges(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare_cached("DELETE FROM ranges WHERE ino = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, ino).run());
  return set_cached_bytes(ino);
}

}  // namespace autosync::index
