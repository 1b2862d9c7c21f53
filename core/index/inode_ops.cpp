// WriteTxn: attributes, generations, open counts, purge, access times, listing state.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {
namespace {

// Applies the ownership, permission and time fields; returns whether any changed.
bool apply_plain_changes(InodeRecord& rec, const AttrChanges& changes) {
  bool changed = false;
  if (changes.mode) {
    rec.mode = (rec.mode & S_IFMT) | (*changes.mode & 07777);
    changed = true;
  }
  if (changes.uid) {
    rec.uid = *changes.uid;
    changed = true;
  }
  if (changes.gid) {
    rec.gid = *changes.gid;
    changed = true;
  }
  if (changes.atime_ns) {
    rec.atime_ns = *changes.atime_ns;
    changed = true;
  }
  if (changes.mtime_ns) {
    rec.mtime_ns = *changes.mtime_ns;
    changed = true;
  }
  if (changes.pinned) rec.pinned = *changes.pinned;
  return changed || changes.ctime_ns.has_value();
}

}  // namespace

Result<InodeRecord> WriteTxn::set_attrs(Ino ino, const AttrChanges& changes) {
  const std::string what = fmt::format("set attributes of {}", ino);
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, what));
  const int64_t now = now_ns();
  const uint64_t old_size = rec.size;
  if (changes.size) {
    if (rec.is_dir()) return Status::error(ErrorKind::kIsDirectory, what + ": is a directory");
    if (rec.kind != InodeKind::kFile) return invalid(what + ": not a regular file");
    rec.size = *changes.size;
    rec.mtime_ns = now;  // truncate(2) updates mtime; an explicit mtime below wins
  }
  const bool changed = apply_plain_changes(rec, changes) || changes.size.has_value();
  if (changed) rec.ctime_ns = changes.ctime_ns.value_or(now);
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  if (changes.size && *changes.size != old_size) {
    AUTOSYNC_RETURN_IF_ERROR(truncate_ranges(ino, std::min(old_size, *changes.size)).status());
    if (*changes.size > old_size) {
      AUTOSYNC_RETURN_IF_ERROR(add_range(ino, old_size, *changes.size).status());
    }
    return detail::load_inode(db(), ino, what);
  }
  return rec;
}

Result<uint64_t> WriteTxn::bump_local_gen(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare_cached("UPDATE inodes SET local_gen ="
                                                           " local_gen + 1 WHERE ino = ?"
                                                           " RETURNING local_gen"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, ino).step());
  if (!found) return not_found(fmt::format("bump generation of {}: no such inode", ino));
  const uint64_t gen = stmt->uint64(0);
  AUTOSYNC_RETURN_IF_ERROR(stmt->run());  // finish the statement
  return gen;
}

Result<InodeRecord> WriteTxn::mark_synced(Ino ino, uint64_t gen, const RemoteVersion& remote) {
  const std::string what = fmt::format("mark {} synced at generation {}", ino, gen);
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, what));
  if (gen > rec.local_gen) {
    return invalid(fmt::format("{}: the inode is only at generation {}", what, rec.local_gen));
  }
  if (gen < rec.synced_gen) return rec;  // a newer generation is already on the store
  rec.synced_gen = gen;
  rec.remote = remote;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return rec;
}

Result<InodeRecord> WriteTxn::add_open(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, "open"));
  rec.open_count += 1;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return rec;
}

Result<InodeRecord> WriteTxn::drop_open(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, "release"));
  if (rec.open_count == 0) {
    return internal(fmt::format("release {}: the inode is not open", ino));
  }
  rec.open_count -= 1;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return rec;
}

Status WriteTxn::reset_open_counts() {
  return db().exec("UPDATE inodes SET open_count = 0 WHERE open_count != 0");
}

Result<bool> WriteTxn::purge(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, "purge"));
  if (ino == kRootIno || rec.nlink > 0 || rec.open_count > 0) return false;
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare_cached("DELETE FROM inodes WHERE ino = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, ino).run());
  return true;
}

Status WriteTxn::touch(Ino ino, int64_t when_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("UPDATE inodes SET last_access_ns = ?"
                                                " WHERE ino = ? AND last_access_ns < ?"));
  return stmt->bind(1, when_ns).bind(2, ino).bind(3, when_ns).run();
}

Status WriteTxn::set_listed(Ino dir, int64_t listed_at_ns, bool complete) {
  AUTOSYNC_RETURN_IF_ERROR(
      detail::load_dir(db(), dir, fmt::format("set listing of {}", dir)).status());
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("INSERT INTO dir_state (ino, listed_at_ns, complete)"
                                     " VALUES (?, ?, ?) ON CONFLICT (ino) DO UPDATE SET"
                                     " listed_at_ns = excluded.listed_at_ns,"
                                     " complete = excluded.complete"));
  return stmt->bind(1, dir).bind(2, listed_at_ns).bind(3, complete).run();
}

}  // namespace autosync::index
