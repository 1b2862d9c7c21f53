// WriteTxn::rename: rename(2) on dentries alone, with RENAME_NOREPLACE and RENAME_EXCHANGE.
#include <fmt/format.h>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {

using detail::name_blob;

namespace {

Status set_ctime(db::Database& db, Ino ino, int64_t now) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db.prepare_cached("UPDATE inodes SET ctime_ns = ? WHERE ino = ?"));
  return stmt->bind(1, now).bind(2, ino).run();
}

Status point_dentry(db::Database& db, Ino parent, std::string_view name, Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db.prepare_cached("UPDATE dentries SET ino = ? WHERE parent = ? AND name = ?"));
  return stmt->bind(1, ino).bind(2, parent).bind(3, name_blob(name)).run();
}

}  // namespace

// kInvalid when `new_parent` is `moving` or inside it: a directory cannot move into its
// own subtree. Directories have exactly one name, so the walk up is a single chain.
Status WriteTxn::check_not_ancestor(Ino moving, Ino new_parent, std::string_view what) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT parent FROM dentries WHERE ino = ?"));
  Ino at = new_parent;
  for (int depth = 0; depth < 4096; ++depth) {
    if (at == moving) {
      return invalid(fmt::format("{}: cannot move a directory into itself", what));
    }
    if (at == kRootIno) return Status::ok();
    stmt->reset();
    AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, at).step());
    if (!found) return not_found(fmt::format("{}: directory {} has no name", what, at));
    at = stmt->uint64(0);
  }
  return Status::error(ErrorKind::kCorrupt, fmt::format("{}: directory tree too deep", what));
}

// Takes `target`'s name away so `moved` can have it: the POSIX rules for which kinds may
// replace which, then the nlink and ctime updates. Leaves the dentry to the caller.
Status WriteTxn::replace_target(const InodeRecord& moved, InodeRecord& target, Ino new_parent,
                                std::string_view what) {
  if (moved.is_dir() && !target.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory,
                         fmt::format("{}: cannot replace a non-directory with a directory", what));
  }
  if (!moved.is_dir() && target.is_dir()) {
    return Status::error(ErrorKind::kIsDirectory,
                         fmt::format("{}: cannot replace a directory with a file", what));
  }
  if (target.is_dir()) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool empty, is_empty(target.ino));
    if (!empty) {
      return Status::error(ErrorKind::kNotEmpty, fmt::format("{}: target not empty", what));
    }
    AUTOSYNC_RETURN_IF_ERROR(touch_dir(new_parent, now_ns(), -1));
  }
  target.nlink = target.is_dir() ? 0 : target.nlink - 1;
  target.ctime_ns = now_ns();
  return detail::store_inode(db(), target, now_ns());
}

Result<RenameOutcome> WriteTxn::rename(Ino parent, std::string_view name, Ino new_parent,
                                       std::string_view new_name, unsigned int flags) {
  const std::string what = fmt::format("rename {}/{} to {}/{}", parent, name, new_parent, new_name);
  if ((flags & ~(kRenameNoReplace | kRenameExchange)) != 0 ||
      flags == (kRenameNoReplace | kRenameExchange)) {
    return invalid(fmt::format("{}: bad flags {:#x}", what, flags));
  }
  AUTOSYNC_RETURN_IF_ERROR(detail::check_name(name, what));
  AUTOSYNC_RETURN_IF_ERROR(detail::check_name(new_name, what));
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), parent, what).status());
  AUTOSYNC_RETURN_IF_ERROR(detail::load_dir(db(), new_parent, what).status());
  if ((flags & kRenameExchange) != 0) return exchange(parent, name, new_parent, new_name);
  AUTOSYNC_ASSIGN_OR_RETURN(auto source, detail::load_child(db(), parent, name));
  if (!source) return not_found(what + ": no such entry");
  RenameOutcome outcome{source->ino, std::nullopt, std::nullopt};
  if (parent == new_parent && name == new_name) return outcome;
  if (source->is_dir()) {
    AUTOSYNC_RETURN_IF_ERROR(check_not_ancestor(source->ino, new_parent, what));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto target, detail::load_child(db(), new_parent, new_name));
  if (target) {
    if (target->ino == source->ino) return outcome;  // two links to one file: nothing to do
    if ((flags & kRenameNoReplace) != 0) {
      return Status::error(ErrorKind::kAlreadyExists, what + ": target exists");
    }
    AUTOSYNC_RETURN_IF_ERROR(replace_target(*source, *target, new_parent, what));
    AUTOSYNC_RETURN_IF_ERROR(delete_dentry(new_parent, new_name));
    outcome.replaced = std::move(target);
  }
  const int64_t now = now_ns();
  AUTOSYNC_RETURN_IF_ERROR(delete_dentry(parent, name));
  AUTOSYNC_RETURN_IF_ERROR(set_dentry(new_parent, new_name, source->ino));
  AUTOSYNC_RETURN_IF_ERROR(set_ctime(db(), source->ino, now));
  const int moved_dirs = (source->is_dir() && parent != new_parent) ? 1 : 0;
  AUTOSYNC_RETURN_IF_ERROR(touch_dir(parent, now, -moved_dirs));
  if (new_parent != parent) AUTOSYNC_RETURN_IF_ERROR(touch_dir(new_parent, now, moved_dirs));
  return outcome;
}

// RENAME_EXCHANGE: both names exist and swap inodes; each directory's link moves with it.
Result<RenameOutcome> WriteTxn::exchange(Ino parent, std::string_view name, Ino new_parent,
                                         std::string_view new_name) {
  const std::string what =
      fmt::format("exchange {}/{} with {}/{}", parent, name, new_parent, new_name);
  AUTOSYNC_ASSIGN_OR_RETURN(auto source, detail::load_child(db(), parent, name));
  AUTOSYNC_ASSIGN_OR_RETURN(auto target, detail::load_child(db(), new_parent, new_name));
  if (!source || !target) return not_found(what + ": no such entry");
  RenameOutcome outcome{source->ino, std::nullopt, target->ino};
  if (source->ino == target->ino) return outcome;
  if (source->is_dir()) {
    AUTOSYNC_RETURN_IF_ERROR(check_not_ancestor(source->ino, new_parent, what));
  }
  if (target->is_dir()) AUTOSYNC_RETURN_IF_ERROR(check_not_ancestor(target->ino, parent, what));
  const int64_t now = now_ns();
  AUTOSYNC_RETURN_IF_ERROR(point_dentry(db(), parent, name, target->ino));
  AUTOSYNC_RETURN_IF_ERROR(point_dentry(db(), new_parent, new_name, source->ino));
  AUTOSYNC_RETURN_IF_ERROR(set_ctime(db(), source->ino, now));
  AUTOSYNC_RETURN_IF_ERROR(set_ctime(db(), target->ino, now));
  int delta = 0;  // links the old parent gains (new_parent loses as many)
  if (parent != new_parent) delta = (target->is_dir() ? 1 : 0) - (source->is_dir() ? 1 : 0);
  AUTOSYNC_RETURN_IF_ERROR(touch_dir(parent, now, delta));
  if (new_parent != parent) AUTOSYNC_RETURN_IF_ERROR(touch_dir(new_parent, now, -delta));
  return outcome;
}

}  // namespace autosync::index
