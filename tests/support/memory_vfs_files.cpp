// MemoryVfs: open files and their data, directory listings, statfs, extended attributes.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>

#include "tests/support/memory_vfs.h"
#include "tests/support/memory_vfs_util.h"

namespace autosync::testing {

using vfs::Ino;

namespace {

bool writable(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY;
}

uint64_t blocks_for(uint64_t size) {
  return (size + 511) / 512;
}

}  // namespace

// ---- helpers (mu_ held) ----

Result<MemoryVfs::OpenFile*> MemoryVfs::open_file(Ino ino, vfs::Handle handle,
                                                  std::string_view what) {
  auto it = handles_.find(handle);
  if (it == handles_.end() || it->second.ino != ino) {
    return invalid(fmt::format("{}: handle {} is not open on inode {}", what, handle, ino));
  }
  return &it->second;
}

vfs::Handle MemoryVfs::new_handle(Node& n, int flags) {
  const vfs::Handle handle = next_handle_++;
  handles_.emplace(handle, OpenFile{n.attr.ino, flags});
  ++n.opens;
  return handle;
}

Status MemoryVfs::close_handle(Ino ino, vfs::Handle handle, std::string_view what) {
  AUTOSYNC_RETURN_IF_ERROR(open_file(ino, handle, what).status());
  handles_.erase(handle);
  if (Node* n = find(ino)) --n->opens;
  reclaim_if_unused(ino);
  return {};
}

void MemoryVfs::truncate(Node& n, uint64_t size) {
  n.data.resize(size);
  n.attr.size = size;
  n.attr.blocks = blocks_for(size);
  n.attr.mtime = n.attr.ctime = memory_vfs::now();
}

Result<std::pair<vfs::Entry, vfs::OpenReply>> MemoryVfs::open_existing(Node& n, int flags) {
  if (S_ISDIR(n.attr.mode)) return Status::error(ErrorKind::kIsDirectory, "create: a directory");
  if ((flags & O_TRUNC) != 0 && writable(flags)) truncate(n, 0);
  vfs::OpenReply reply;
  reply.handle = new_handle(n, flags);
  return std::pair(entry_for(n), reply);
}

// ---- files ----

Result<std::pair<vfs::Entry, vfs::OpenReply>> MemoryVfs::create(const vfs::Caller& who, Ino parent,
                                                                std::string_view name, mode_t mode,
                                                                int flags) {
  const std::string what = fmt::format("create {}/{}", parent, name);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(parent, what));
  AUTOSYNC_RETURN_IF_ERROR(memory_vfs::check_name(name, what));
  if (const Child* c = child(*dir, name)) {
    if ((flags & O_EXCL) != 0) return Status::error(ErrorKind::kAlreadyExists, what);
    return open_existing(nodes_.at(c->ino), flags);
  }
  Node& n = new_node(who, *dir, S_IFREG | (mode & 07777));
  add_name(*dir, name, n);
  vfs::OpenReply reply;
  reply.handle = new_handle(n, flags);
  return std::pair(entry_for(n), reply);
}

Result<vfs::OpenReply> MemoryVfs::open(const vfs::Caller& /*who*/, Ino ino, int flags) {
  const std::string what = fmt::format("open {}", ino);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  if (S_ISDIR(n->attr.mode)) return Status::error(ErrorKind::kIsDirectory, what);
  if ((flags & O_TRUNC) != 0 && writable(flags)) truncate(*n, 0);
  vfs::OpenReply reply;
  reply.handle = new_handle(*n, flags);
  return reply;
}

Result<size_t> MemoryVfs::read(Ino ino, vfs::Handle handle, uint64_t offset, std::span<char> out) {
  std::lock_guard lock(mu_);
  AUTOSYNC_RETURN_IF_ERROR(open_file(ino, handle, fmt::format("read {}", ino)).status());
  const std::string& data = nodes_.at(ino).data;
  if (offset >= data.size()) return size_t{0};
  const size_t n = std::min<uint64_t>(out.size(), data.size() - offset);
  std::copy_n(data.data() + offset, n, out.data());
  return n;
}

Result<size_t> MemoryVfs::write(Ino ino, vfs::Handle handle, uint64_t offset,
                                std::span<const char> data) {
  const std::string what = fmt::format("write {}", ino);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(OpenFile * file, open_file(ino, handle, what));
  Node& n = nodes_.at(ino);
  if ((file->flags & O_APPEND) != 0) offset = n.data.size();
  if (offset > kMaxFileSize || data.size() > kMaxFileSize - offset) {
    return Status::error(ErrorKind::kTooBig, what + ": past the largest file size");
  }
  if (offset + data.size() > n.data.size()) n.data.resize(offset + data.size());  // holes: 0
  std::copy(data.begin(), data.end(), n.data.begin() + static_cast<std::ptrdiff_t>(offset));
  n.attr.size = n.data.size();
  n.attr.blocks = blocks_for(n.attr.size);
  n.attr.mtime = n.attr.ctime = memory_vfs::now();
  return data.size();
}

Status MemoryVfs::flush(Ino ino, vfs::Handle handle) {
  std::lock_guard lock(mu_);
  return open_file(ino, handle, fmt::format("flush {}", ino)).status();
}

Status MemoryVfs::fsync(Ino ino, vfs::Handle handle, bool /*data_only*/) {
  std::lock_guard lock(mu_);
  return open_file(ino, handle, fmt::format("fsync {}", ino)).status();
}

Status MemoryVfs::release(Ino ino, vfs::Handle handle) {
  std::lock_guard lock(mu_);
  return close_handle(ino, handle, fmt::format("release {}", ino));
}

// ---- directories ----

Result<vfs::Handle> MemoryVfs::opendir(const vfs::Caller& /*who*/, Ino ino) {
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(ino, fmt::format("opendir {}", ino)));
  return new_handle(*dir, O_RDONLY | O_DIRECTORY);
}

Status MemoryVfs::readdir(Ino ino, vfs::Handle handle, uint64_t cookie,
                          const std::function<bool(const vfs::DirEntry&)>& emit) {
  const std::string what = fmt::format("readdir {}", ino);
  std::vector<vfs::DirEntry> entries;
  {
    std::lock_guard lock(mu_);
    AUTOSYNC_RETURN_IF_ERROR(open_file(ino, handle, what).status());
    AUTOSYNC_ASSIGN_OR_RETURN(Node * dir, directory(ino, what));
    if (dir->attr.nlink == 0) return {};  // removed while open: empty
    if (cookie < 1) entries.push_back({".", ino, S_IFDIR, 1});
    if (cookie < 2) entries.push_back({"..", dir->parent, S_IFDIR, 2});
    const uint64_t after = std::max<uint64_t>(cookie, kFirstNameCookie - 1);
    for (auto it = dir->names_by_cookie.upper_bound(after); it != dir->names_by_cookie.end();
         ++it) {
      const Ino child_ino = dir->children.find(it->second)->second.ino;
      const mode_t type = nodes_.at(child_ino).attr.mode & S_IFMT;
      entries.push_back({it->second, child_ino, type, it->first});
    }
  }
  for (const auto& entry : entries) {
    if (!emit(entry)) break;
  }
  return {};
}

Status MemoryVfs::releasedir(Ino ino, vfs::Handle handle) {
  std::lock_guard lock(mu_);
  return close_handle(ino, handle, fmt::format("releasedir {}", ino));
}

Result<vfs::FsStats> MemoryVfs::statfs(Ino /*ino*/) {
  std::lock_guard lock(mu_);
  vfs::FsStats stats;
  uint64_t used_blocks = 0;
  for (const auto& [ino, n] : nodes_)
    used_blocks += (n.data.size() + 4095) / 4096;
  stats.blocks = kCapacityBytes / stats.block_size;
  stats.blocks_free = stats.blocks - std::min(used_blocks, stats.blocks);
  stats.blocks_available = stats.blocks_free;
  stats.files = kMaxInodes;
  stats.files_free = kMaxInodes - std::min<uint64_t>(nodes_.size(), kMaxInodes);
  stats.name_max = memory_vfs::kNameMax;
  return stats;
}

// ---- extended attributes ----

Status MemoryVfs::setxattr(Ino ino, std::string_view name, std::span<const char> value, int flags) {
  const std::string what = fmt::format("setxattr {} {}", ino, name);
  if (!name.starts_with("user.")) {
    return Status::error(ErrorKind::kUnsupported, what + ": only user.* attributes are kept");
  }
  if (name.size() > memory_vfs::kNameMax || value.size() > kMaxXattrValue) {
    return Status::error(ErrorKind::kTooBig, what + ": name or value too large");
  }
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  // Linux keeps user.* attributes on regular files and directories only.
  if (!S_ISREG(n->attr.mode) && !S_ISDIR(n->attr.mode)) {
    return Status::error(ErrorKind::kNotPermitted, what + ": not a file or directory");
  }
  const bool exists = n->xattrs.find(name) != n->xattrs.end();
  if ((flags & XATTR_CREATE) != 0 && exists) {
    return Status::error(ErrorKind::kAlreadyExists, what);
  }
  if ((flags & XATTR_REPLACE) != 0 && !exists) {
    return Status::error(ErrorKind::kNoAttribute, what);
  }
  n->xattrs[std::string(name)] = std::string(value.begin(), value.end());
  n->attr.ctime = memory_vfs::now();
  return {};
}

Result<std::string> MemoryVfs::getxattr(Ino ino, std::string_view name) {
  const std::string what = fmt::format("getxattr {} {}", ino, name);
  if (!name.starts_with("user.")) return Status::error(ErrorKind::kUnsupported, what);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  auto it = n->xattrs.find(name);
  if (it == n->xattrs.end()) return Status::error(ErrorKind::kNoAttribute, what);
  return it->second;
}

Result<std::vector<std::string>> MemoryVfs::listxattr(Ino ino) {
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, fmt::format("listxattr {}", ino)));
  std::vector<std::string> names;
  for (const auto& [name, value] : n->xattrs)
    names.push_back(name);
  return names;
}

Status MemoryVfs::removexattr(Ino ino, std::string_view name) {
  const std::string what = fmt::format("removexattr {} {}", ino, name);
  std::lock_guard lock(mu_);
  AUTOSYNC_ASSIGN_OR_RETURN(Node * n, node(ino, what));
  auto it = n->xattrs.find(name);
  if (it == n->xattrs.end()) return Status::error(ErrorKind::kNoAttribute, what);
  n->xattrs.erase(it);
  n->attr.ctime = memory_vfs::now();
  return {};
}

// ---- inspection ----

size_t MemoryVfs::inode_count() const {
  std::lock_guard lock(mu_);
  return nodes_.size();
}

bool MemoryVfs::contains(Ino ino) const {
  std::lock_guard lock(mu_);
  return nodes_.contains(ino);
}

size_t MemoryVfs::open_handle_count() const {
  std::lock_guard lock(mu_);
  return handles_.size();
}

uint64_t MemoryVfs::lookup_count(Ino ino) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(ino);
  return it == nodes_.end() ? 0 : it->second.lookups;
}

}  // namespace autosync::testing
