// WriteTxn: creating and removing names (create, link, unlink, rmdir).
#include <fmt/format.h>
#include <sys/stat.h>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {

using detail::name_blob;

namespace {

Result<InodeKind> kind_of(mode_t mode, std::string_view what) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return InodeKind::kFile;
    case S_IFDIR:
      return InodeKind::kDirectory;
    case S_IFLNK:
      return InodeKind::kSymlink;
    case S_IFIFO:
    case S_IFSOCK:
    case S_IFCHR:
    case S_IFBLK:
      return InodeKind::kSpecial;
    default:
      return invalid(fmt::format("{}: mode {:o} has no file type", what, mode));
  }
}

Status insert_inode(db::Database& db, InodeKind kind, const NewInode& in, int64_t now) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db.prepare_cached("INSERT INTO inodes (kind, mode, uid, gid, size, atime_ns, mtime_ns,"
                        " ctime_ns, rdev, symlink_target, nlink, remote_key, remote_etag,"
                        " remote_version, remote_size, remote_mtime_ns, listed_epoch)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const bool symlink = kind == InodeKind::kSymlink;
  stmt->bind(1, static_cast<int>(kind)).bind(2, in.mode).bind(3, in.uid).bind(4, in.gid);
  stmt->bind(5, symlink ? in.symlink_target.size() : in.size);
  stmt->bind(6, now).bind(7, in.mtime_ns.value_or(now)).bind(8, now).bind(9, in.rdev);
  if (symlink) {
    stmt->bind(10, detail::name_blob(in.symlink_target));
  } else {
    stmt->bind(10, std::nullopt);
  }
  stmt->bind(11, kind == InodeKind::kDirectory ? 2 : 1);
  if (in.remote) {
    stmt->bind(12, std::string_view(in.remote->key)).bind(13, std::string_view(in.remote->etag));
    stmt->bind(14, std::string_view(in.remote->version)).bind(15, in.remote->size);
    stmt->bind(16, in.remote->mtime_ns).bind(17, now);  // as if a listing saw it now
  } else {
    for (int i = 12; i <= 16; ++i)
      stmt->bind(i, std::nullopt);
    stmt->bind(17, 0);
  }
  return stmt->run();
}

}  // namespace

Status WriteTxn::set_dentry(Ino parent, std::string_view name, Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("INSERT INTO dentries (parent, name, ino) VALUES (?, ?, ?)"));
  return stmt->bind(1, parent).bind(2, name_blob(name)).bind(3, ino).run();
}

Status WriteTxn::delete_dentry(Ino parent, std::string_view name) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("DELETE FROM dentries WHERE parent = ? AND name = ?"));
  return stmt->bind(1, parent).bind(2, name_blob(name)).run();
}

Status WriteTxn::touch_dir(Ino dir, int64_t now, int nlink_delta) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("UPDATE inodes SET mtime_ns = ?, ctime_ns = ?,"
                                                " nlink = nlink + ? WHERE ino = ?"));
  return stmt->bind(1, now).bind(2, now).bind(3, nlink_delta).bind(4, dir).run();
}

Result<InodeRecord> WriteTxn::create(Ino parent, std::string_view name, const NewInode& inode) {
  const std::string what = detail::describe("create", parent, name);
  AUTOSYNC_RETURN_IF_ERROR(detail::check_name(name, what));
  AUTOSYNC_ASSIGN_OR_RETURN(InodeKind kind, kind_of(inode.mode, what));
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), parent, what).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto existing, detail::load_child(db(), parent, name));
  if (existing) {
    return Status::error(ErrorKind::kAlreadyExists, fmt::format("{}: name exists", what));
  }
  const int64_t now = now_ns();
  AUTOSYNC_RETURN_IF_ERROR(insert_inode(db(), kind, inode, now));
  const Ino ino = static_cast<Ino>(db().last_insert_rowid());
  AUTOSYNC_RETURN_IF_ERROR(set_dentry(parent, name, ino));
  AUTOSYNC_RETURN_IF_ERROR(touch_dir(parent, now, kind == InodeKind::kDirectory ? 1 : 0));
  return detail::load_inode(db(), ino, what);
}

Result<InodeRecord> WriteTxn::link(Ino ino, Ino new_parent, std::string_view new_name) {
  const std::string what = fmt::format("link {} as {}/{}", ino, new_parent, new_name);
  AUTOSYNC_RETURN_IF_ERROR(detail::check_name(new_name, what));
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, what));
  if (rec.is_dir()) {
    return Status::error(ErrorKind::kNotPermitted, what + ": cannot link a directory");
  }
  if (rec.nlink == 0) return not_found(what + ": the inode has been unlinked");
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), new_parent, what).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto existing, detail::load_child(db(), new_parent, new_name));
  if (existing) {
    return Status::error(ErrorKind::kAlreadyExists, fmt::format("{}: name exists", what));
  }
  const int64_t now = now_ns();
  AUTOSYNC_RETURN_IF_ERROR(set_dentry(new_parent, new_name, ino));
  AUTOSYNC_RETURN_IF_ERROR(touch_dir(new_parent, now, 0));
  rec.nlink += 1;
  rec.ctime_ns = now;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return rec;
}

Result<InodeRecord> WriteTxn::unlink(Ino parent, std::string_view name) {
  return remove_name(parent, name, false);
}

Result<InodeRecord> WriteTxn::rmdir(Ino parent, std::string_view name) {
  return remove_name(parent, name, true);
}

Result<InodeRecord> WriteTxn::remove_name(Ino parent, std::string_view name, bool want_dir) {
  const std::string what = detail::describe(want_dir ? "rmdir" : "unlink", parent, name);
  AUTOSYNC_RETURN_IF_ERROR(detail::check_name(name, what));
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), parent, what).status());
  AUTOSYNC_ASSIGN_OR_RETURN(auto child, detail::load_child(db(), parent, name));
  if (!child) return not_found(what + ": no such entry");
  InodeRecord rec = std::move(*child);
  if (want_dir && !rec.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory, what + ": not a directory");
  }
  if (!want_dir && rec.is_dir()) {
    return Status::error(ErrorKind::kIsDirectory, what + ": is a directory");
  }
  if (rec.is_dir()) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool empty, is_empty(rec.ino));
    if (!empty) return Status::error(ErrorKind::kNotEmpty, what + ": directory not empty");
  }
  const int64_t now = now_ns();
  AUTOSYNC_RETURN_IF_ERROR(delete_dentry(parent, name));
  AUTOSYNC_RETURN_IF_ERROR(touch_dir(parent, now, rec.is_dir() ? -1 : 0));
  rec.nlink = rec.is_dir() ? 0 : rec.nlink - 1;
  rec.ctime_ns = now;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  return rec;
}

}  // namespace autosync::index
