// MemoryVfs: inodes, names and attributes. File data, directories' listings, statfs and
// xattrs are in memory_vfs_files.cpp.
#include "tests/support/memory_vfs.h"

#include <fmt/format.h>
#include <stdio.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "tests/support/memory_vfs_util.h"

namespace autosync::testing {

using vfs::Ino;

MemoryVfs::MemoryVfs() {
  Node& root = nodes_[vfs::kRootIno];
  root.attr.ino = vfs::kRootIno;
  root.attr.mode = S_IFDIR | 0755;
  root.attr.nlink = 2;
  root.attr.uid = ::getuid();
  root.attr.gid = ::getgid();
  root.attr.atime = root.attr.mtime = root.attr.ctime = memory_vfs::now();
  root.parent = vfs::kRootIno;
}

// ---- helpers (mu_ held) ----

MemoryVfs::Node* MemoryVfs::find(Ino ino) {
  auto it = nodes_.find(ino);
  return it == nodes_.end() ? nullptr : &it->second;
}

Result<MemoryVfs::Node*> MemoryVfs::node(Ino ino, std::string_view what) {
  Node* n = find(ino);
  if (n == nullptr) return not_found(fmt::format("{}: no inode {}", what, ino));
  return n;
}

Result<MemoryVfs::Node*> MemoryVfs::directory(Ino ino, std::string_view what) {
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  if (!S_ISDIR(n->attr.mode)) {
    return Status::error(ErrorKind::kNotDirectory, fmt::format("{}: not a directory", what));
  }
  return n;
}

const MemoryVfs::Child* MemoryVfs::child(const Node& dir, std::string_view name) const {
  auto it = dir.children.find(name);
  return it == dir.children.end() ? nullptr : &it->second;
}

MemoryVfs::Node& MemoryVfs::new_node(const vfs::Caller& who, const Node& parent, mode_t mode) {
  const Ino ino = next_ino_++;
  Node& n = nodes_[ino];
  n.attr.ino = ino;
  n.attr.mode = mode;
  n.attr.nlink = S_ISDIR(mode) ? 2 : 1;
  n.attr.uid = who.uid;
  // BSD group semantics under a set-group-ID directory, as Linux does.
  const bool inherit_group = (parent.attr.mode & S_ISGID) != 0;
  n.attr.gid = inherit_group ? parent.attr.gid : who.gid;
  if (inherit_group && S_ISDIR(mode)) n.attr.mode |= S_ISGID;
  n.attr.atime = n.attr.mtime = n.attr.ctime = memory_vfs::now();
  return n;
}

void MemoryVfs::add_name(Node& dir, std::string_view name, Node& added) {
  const uint64_t cookie = dir.next_cookie++;
  dir.children.emplace(std::string(name), Child{added.attr.ino, cookie});
  dir.names_by_cookie.emplace(cookie, std::string(name));
  added.parent = dir.attr.ino;
  if (S_ISDIR(added.attr.mode)) ++dir.attr.nlink;
  dir.attr.mtime = dir.attr.ctime = memory_vfs::now();
}

void MemoryVfs::remove_name(Node& dir, std::string_view name) {
  auto it = dir.children.find(name);
  if (it == dir.children.end()) return;
  if (S_ISDIR(nodes_.at(it->second.ino).attr.mode)) --dir.attr.nlink;
  dir.names_by_cookie.erase(it->second.cookie);
  dir.children.erase(it);
  dir.attr.mtime = dir.attr.ctime = memory_vfs::now();
}

vfs::Entry MemoryVfs::entry_for(Node& n) {
  ++n.lookups;
  vfs::Entry entry;
  entry.attr = n.attr;
  return entry;
}

void MemoryVfs::reclaim_if_unused(Ino ino) {
  const Node* n = find(ino);
  if (n == nullptr || ino == vfs::kRootIno) return;
  if (n->attr.nlink == 0 && n->lookups == 0 && n->opens == 0) nodes_.erase(ino);
}

bool MemoryVfs::is_ancestor(Ino ancestor, Ino ino) {
  for (;;) {
    if (ino == ancestor) return true;
    if (ino == vfs::kRootIno) return false;
    ino = nodes_.at(ino).parent;
  }
}

Result<MemoryVfs::Node*> MemoryVfs::make_node(const vfs::Caller& who, Ino parent,
                                              std::string_view name, mode_t mode) {
  const std::string what = fmt::format("create {}/{}", parent, name);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(parent, what));
  AUTOSYNC_RETURN_IF_ERROR(memory_vfs::check_name(name, what));
  if (child(*dir, name) != nullptr) {
    return Status::error(ErrorKind::kAlreadyExists, what + ": the name exists");
  }
  Node& n = new_node(who, *dir, mode);
  add_name(*dir, name, n);
  return &n;
}

// ---- names and attributes ----

Result<vfs::Entry> MemoryVfs::lookup(const vfs::Caller& /*who*/, Ino parent,
                                     std::string_view name) {
  const std::string what = fmt::format("lookup {}/{}", parent, name);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(parent, what));
  if (name.size() > memory_vfs::kNameMax) {
    return Status::error(ErrorKind::kNameTooLong, what + ": name too long");
  }
  const Child* c = child(*dir, name);
  if (c == nullptr) return not_found(what + ": no such entry");
  return entry_for(nodes_.at(c->ino));
}

bool MemoryVfs::forget(Ino ino, uint64_t count) {
  std::lock_guard lock(mu_);
  Node* n = find(ino);
  if (n == nullptr) return true;
  n->lookups -= std::min(count, n->lookups);
  const bool last = n->lookups == 0;
  reclaim_if_unused(ino);
  return last;
}

Result<vfs::Attr> MemoryVfs::getattr(Ino ino) {
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, fmt::format("getattr {}", ino)));
  return n->attr;
}

Result<vfs::Attr> MemoryVfs::setattr(const vfs::Caller& /*who*/, Ino ino,
                                     const vfs::SetAttr& changes,
                                     std::optional<vfs::Handle> handle) {
  const std::string what = fmt::format("setattr {}", ino);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  if (handle) AUTOSYNC_RETURN_IF_ERROR(open_file(ino, *handle, what).status());
  if (changes.size) {
    if (S_ISDIR(n->attr.mode)) return Status::error(ErrorKind::kIsDirectory, what);
    if (!S_ISREG(n->attr.mode)) return invalid(what + ": not a regular file");
    if (*changes.size > kMaxFileSize) return Status::error(ErrorKind::kTooBig, what);
    truncate(*n, *changes.size);
  }
  if (changes.mode) n->attr.mode = (n->attr.mode & S_IFMT) | (*changes.mode & 07777);
  if (changes.uid) n->attr.uid = *changes.uid;
  if (changes.gid) n->attr.gid = *changes.gid;
  const vfs::Timespec t = memory_vfs::now();
  if (changes.atime_now || changes.atime) n->attr.atime = changes.atime_now ? t : *changes.atime;
  if (changes.mtime_now || changes.mtime) n->attr.mtime = changes.mtime_now ? t : *changes.mtime;
  n->attr.ctime = t;
  return n->attr;
}

Result<std::string> MemoryVfs::readlink(Ino ino) {
  const std::string what = fmt::format("readlink {}", ino);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  if (!S_ISLNK(n->attr.mode)) return invalid(what + ": not a symbolic link");
  return n->data;
}

Result<vfs::Entry> MemoryVfs::mknod(const vfs::Caller& who, Ino parent, std::string_view name,
                                    mode_t mode, dev_t rdev) {
  const mode_t type = (mode & S_IFMT) == 0 ? S_IFREG : (mode & S_IFMT);
  if (type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFBLK &&
      type != S_IFSOCK) {
    return invalid(fmt::format("mknod {}/{}: unsupported file type", parent, name));
  }
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, make_node(who, parent, name, type | (mode & 07777)));
  n->attr.rdev = rdev;
  return entry_for(*n);
}

Result<vfs::Entry> MemoryVfs::mkdir(const vfs::Caller& who, Ino parent, std::string_view name,
                                    mode_t mode) {
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, make_node(who, parent, name, S_IFDIR | (mode & 07777)));
  return entry_for(*n);
}

Result<vfs::Entry> MemoryVfs::symlink(const vfs::Caller& who, std::string_view target, Ino parent,
                                      std::string_view name) {
  const std::string what = fmt::format("symlink {}/{}", parent, name);
  if (target.empty()) return not_found(what + ": empty target");
  if (target.size() >= memory_vfs::kPathMax) {
    return Status::error(ErrorKind::kNameTooLong, what + ": target too long");
  }
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, make_node(who, parent, name, S_IFLNK | 0777));
  n->data = std::string(target);
  n->attr.size = target.size();
  return entry_for(*n);
}

Result<vfs::Entry> MemoryVfs::link(const vfs::Caller& /*who*/, Ino ino, Ino new_parent,
                                   std::string_view new_name) {
  return unsupported(
      fmt::format("link {} to {}/{}: hard links are not supported", ino, new_parent, new_name));
}

Status MemoryVfs::unlink(const vfs::Caller& /*who*/, Ino parent, std::string_view name) {
  const std::string what = fmt::format("unlink {}/{}", parent, name);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(parent, what));
  const Child* c = child(*dir, name);
  if (c == nullptr) return not_found(what + ": no such entry");
  const Ino ino = c->ino;
  Node& target = nodes_.at(ino);
  if (S_ISDIR(target.attr.mode)) return Status::error(ErrorKind::kIsDirectory, what);
  remove_name(*dir, name);
  target.attr.nlink = 0;
  target.attr.ctime = memory_vfs::now();
  reclaim_if_unused(ino);
  return {};
}

Status MemoryVfs::rmdir(const vfs::Caller& /*who*/, Ino parent, std::string_view name) {
  const std::string what = fmt::format("rmdir {}/{}", parent, name);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(parent, what));
  const Child* c = child(*dir, name);
  if (c == nullptr) return not_found(what + ": no such entry");
  const Ino ino = c->ino;
  Node& target = nodes_.at(ino);
  if (!S_ISDIR(target.attr.mode)) return Status::error(ErrorKind::kNotDirectory, what);
  if (!target.children.empty()) return Status::error(ErrorKind::kNotEmpty, what);
  remove_name(*dir, name);
  target.attr.nlink = 0;
  target.attr.ctime = memory_vfs::now();
  reclaim_if_unused(ino);
  return {};
}

}  // namespace autosync::testing
