// MemoryVfs::rename: plain, RENAME_NOREPLACE and RENAME_EXCHANGE, with POSIX's rules for
// replacing a name (a directory only replaces an empty directory; nothing moves inside itself).
#include <fmt/format.h>
#include <stdio.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <sys/stat.h>

#include "tests/support/memory_vfs.h"
#include "tests/support/memory_vfs_util.h"

namespace autosync::testing {

using vfs::Ino;

Status MemoryVfs::check_rename_target(const Node& source, const Node* target) {
  if (target == nullptr) return {};
  if (S_ISDIR(source.attr.mode)) {
    if (!S_ISDIR(target->attr.mode)) {
      return Status::error(ErrorKind::kNotDirectory, "rename: a directory cannot replace a file");
    }
    if (!target->children.empty()) {
      return Status::error(ErrorKind::kNotEmpty, "rename: the target directory is not empty");
    }
  } else if (S_ISDIR(target->attr.mode)) {
    return Status::error(ErrorKind::kIsDirectory, "rename: a file cannot replace a directory");
  }
  return {};
}

void MemoryVfs::exchange(Node& dir, std::string_view name, Node& new_dir,
                         std::string_view new_name) {
  Child& a = dir.children.find(name)->second;
  Child& b = new_dir.children.find(new_name)->second;
  Node& first = nodes_.at(a.ino);
  Node& second = nodes_.at(b.ino);
  std::swap(a.ino, b.ino);
  first.parent = new_dir.attr.ino;
  second.parent = dir.attr.ino;
  // Each directory's link count follows the subdirectories it holds.
  const int moved_dirs = (S_ISDIR(first.attr.mode) ? 1 : 0) - (S_ISDIR(second.attr.mode) ? 1 : 0);
  dir.attr.nlink -= moved_dirs;
  new_dir.attr.nlink += moved_dirs;
  const vfs::Timespec t = memory_vfs::now();
  dir.attr.mtime = dir.attr.ctime = new_dir.attr.mtime = new_dir.attr.ctime = t;
  first.attr.ctime = second.attr.ctime = t;
}

Status MemoryVfs::rename(const vfs::Caller& /*who*/, Ino parent, std::string_view name,
                         Ino new_parent, std::string_view new_name, vfs::RenameFlags flags) {
  const std::string what = fmt::format("rename {}/{} to {}/{}", parent, name, new_parent, new_name);
  const vfs::RenameFlags known = RENAME_NOREPLACE | RENAME_EXCHANGE;
  if ((flags & ~known) != 0 || flags == known) return invalid(what + ": bad flags");
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(parent, what));
  AUTOSYNC_ASSIGN_OR_RETURN(Node * new_dir, directory(new_parent, what));
  AUTOSYNC_RETURN_IF_ERROR(memory_vfs::check_name(new_name, what));
  const Child* from = child(*dir, name);
  if (from == nullptr) return not_found(what + ": no such entry");
  const Child* to = child(*new_dir, new_name);
  Node& source = nodes_.at(from->ino);
  Node* target = to != nullptr ? &nodes_.at(to->ino) : nullptr;
  if (target == &source) return {};  // the same file under both names: nothing to do
  if (S_ISDIR(source.attr.mode) && is_ancestor(source.attr.ino, new_parent)) {
    return invalid(what + ": a directory cannot move inside itself");
  }
  if ((flags & RENAME_EXCHANGE) != 0) {
    if (target == nullptr) return not_found(what + ": nothing to exchange with");
    if (S_ISDIR(target->attr.mode) && is_ancestor(target->attr.ino, parent)) {
      return invalid(what + ": a directory cannot move inside itself");
    }
    exchange(*dir, name, *new_dir, new_name);
    return {};
  }
  if (target != nullptr && (flags & RENAME_NOREPLACE) != 0) {
    return Status::error(ErrorKind::kAlreadyExists, what + ": the target exists");
  }
  AUTOSYNC_RETURN_IF_ERROR(std::move(check_rename_target(source, target)).context(what));
  if (target != nullptr) {
    remove_name(*new_dir, new_name);
    target->attr.nlink = 0;
    target->attr.ctime = memory_vfs::now();
  }
  remove_name(*dir, name);
  add_name(*new_dir, new_name, source);
  source.attr.ctime = memory_vfs::now();
  if (target != nullptr) reclaim_if_unused(target->attr.ino);
  return {};
}

}  // namespace autosync::testing
