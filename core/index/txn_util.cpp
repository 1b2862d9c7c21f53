#include "core/index/txn_util.h"

#include <fmt/format.h>
#include <sys/stat.h>

namespace autosync::index::detail {
namespace {

Result<InodeKind> kind_from(int64_t value, Ino ino) {
  if (value < 1 || value > 4) {
    return Status::error(ErrorKind::kCorrupt,
                         fmt::format("inode {} has unknown kind {}", ino, value));
  }
  return static_cast<InodeKind>(value);
}

std::optional<RemoteVersion> read_remote(const db::Statement& stmt) {
  if (stmt.is_null(15)) return std::nullopt;
  RemoteVersion remote;
  remote.key = std::string(stmt.text(15));
  remote.etag = std::string(stmt.text(16));
  remote.version = std::string(stmt.text(17));
  remote.size = stmt.uint64(18);
  remote.mtime_ns = stmt.int64(19);
  return remote;
}

}  // namespace

Result<InodeRecord> read_inode(const db::Statement& stmt) {
  InodeRecord rec;
  rec.ino = stmt.uint64(0);
  AUTOSYNC_ASSIGN_OR_RETURN(rec.kind, kind_from(stmt.int64(1), rec.ino));
  rec.mode = static_cast<mode_t>(stmt.int64(2));
  rec.uid = static_cast<uid_t>(stmt.int64(3));
  rec.gid = static_cast<gid_t>(stmt.int64(4));
  rec.size = stmt.uint64(5);
  rec.atime_ns = stmt.int64(6);
  rec.mtime_ns = stmt.int64(7);
  rec.ctime_ns = stmt.int64(8);
  rec.rdev = static_cast<dev_t>(stmt.uint64(9));
  rec.symlink_target = blob_string(stmt.blob(10));
  rec.nlink = static_cast<uint32_t>(stmt.int64(11));
  rec.generation = stmt.uint64(12);
  rec.local_gen = stmt.uint64(13);
  rec.synced_gen = stmt.uint64(14);
  rec.remote = read_remote(stmt);
  rec.pinned = stmt.int64(20) != 0;
  rec.open_count = static_cast<uint32_t>(stmt.int64(21));
  rec.last_access_ns = stmt.int64(22);
  rec.cached_bytes = stmt.uint64(23);
  return rec;
}

Result<InodeRecord> load_inode(db::Database& db, Ino ino, std::string_view what) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db.prepare_cached("SELECT " AUTOSYNC_INODE_COLUMNS " FROM inodes WHERE ino = ?"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, ino).step());
  if (!found) return not_found(fmt::format("{}: no inode {}", what, ino));
  return read_inode(*stmt);
}

Result<std::optional<InodeRecord>> load_child(db::Database& db, Ino parent, std::string_view name) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db.prepare_cached("SELECT " AUTOSYNC_INODE_COLUMNS " FROM inodes WHERE ino ="
                                   " (SELECT ino FROM dentries WHERE parent = ? AND name = ?)"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, parent).bind(2, name_blob(name)).step());
  if (!found) return std::optional<InodeRecord>();
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, read_inode(*stmt));
  return std::optional<InodeRecord>(std::move(rec));
}

Result<InodeRecord> load_dir(db::Database& db, Ino ino, std::string_view what) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, load_inode(db, ino, what));
  if (!rec.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory,
                         fmt::format("{}: inode {} is not a directory", what, ino));
  }
  if (rec.nlink == 0) {  // removed, still open: nothing may be created in it
    return not_found(fmt::format("{}: directory {} has been removed", what, ino));
  }
  return rec;
}

Status check_name(std::string_view name, std::string_view what) {
  if (name.size() > kMaxNameBytes) {
    return Status::error(ErrorKind::kNameTooLong,
                         fmt::format("{}: name is {} bytes, over the limit of {}", what,
                                     name.size(), kMaxNameBytes));
  }
  if (name.empty() || name == "." || name == "..") {
    return invalid(fmt::format("{}: \"{}\" is not a valid name", what, name));
  }
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return invalid(fmt::format("{}: a name may not contain '/' or NUL", what));
  }
  return Status::ok();
}

std::string describe(std::string_view op, Ino parent, std::string_view name) {
  return fmt::format("{} {}/{}", op, parent, name);
}

Status store_inode(db::Database& db, const InodeRecord& rec, int64_t now_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db.prepare_cached("UPDATE inodes SET mode = ?2, uid = ?3, gid = ?4, size = ?5, atime_ns = ?6,"
                        " mtime_ns = ?7, ctime_ns = ?8, rdev = ?9, nlink = ?10, local_gen = ?11,"
                        " synced_gen = ?12, remote_key = ?13, remote_etag = ?14,"
                        " remote_version = ?15, remote_size = ?16, remote_mtime_ns = ?17,"
                        " pinned = ?18, open_count = ?19, last_access_ns = ?20,"
                        " cached_bytes = ?21, listed_epoch = CASE WHEN remote_key IS ?13 AND"
                        " remote_etag IS ?14 THEN listed_epoch ELSE max(listed_epoch, ?22) END"
                        " WHERE ino = ?1"));
  const auto& remote = rec.remote;
  stmt->bind(1, rec.ino).bind(2, rec.mode).bind(3, rec.uid).bind(4, rec.gid).bind(5, rec.size);
  stmt->bind(6, rec.atime_ns).bind(7, rec.mtime_ns).bind(8, rec.ctime_ns).bind(9, rec.rdev);
  stmt->bind(10, rec.nlink).bind(11, rec.local_gen).bind(12, rec.synced_gen);
  if (remote) {
    stmt->bind(13, std::string_view(remote->key)).bind(14, std::string_view(remote->etag));
    stmt->bind(15, std::string_view(remote->version)).bind(16, remote->size);
    stmt->bind(17, remote->mtime_ns);
  } else {
    for (int i = 13; i <= 17; ++i)
      stmt->bind(i, std::nullopt);
  }
  stmt->bind(18, rec.pinned).bind(19, rec.open_count).bind(20, rec.last_access_ns);
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(21, rec.cached_bytes).bind(22, now_ns).run());
  if (db.changes() != 1) return not_found(fmt::format("update inode {}: no such inode", rec.ino));
  return Status::ok();
}

}  // namespace autosync::index::detail
