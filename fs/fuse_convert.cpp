#include "fs/fuse_convert.h"

#include <fcntl.h>

namespace autosync::fs {
namespace {

struct timespec to_timespec(const vfs::Timespec& t) {
  struct timespec out {};
  out.tv_sec = static_cast<time_t>(t.sec);
  out.tv_nsec = static_cast<long>(t.nsec);
  return out;
}

vfs::Timespec from_timespec(const struct timespec& t) {
  return vfs::Timespec{static_cast<int64_t>(t.tv_sec), static_cast<int64_t>(t.tv_nsec)};
}

}  // namespace

struct stat to_stat(const vfs::Attr& attr) {
  struct stat st {};
  st.st_ino = attr.ino;
  st.st_mode = attr.mode;
  st.st_nlink = attr.nlink;
  st.st_uid = attr.uid;
  st.st_gid = attr.gid;
  st.st_size = static_cast<off_t>(attr.size);
  st.st_blocks = static_cast<blkcnt_t>(attr.blocks);
  st.st_blksize = 4096;
  st.st_rdev = attr.rdev;
  st.st_atim = to_timespec(attr.atime);
  st.st_mtim = to_timespec(attr.mtime);
  st.st_ctim = to_timespec(attr.ctime);
  return st;
}

fuse_entry_param to_entry_param(const vfs::Entry& entry) {
  fuse_entry_param param{};
  param.ino = entry.attr.ino;
  param.generation = entry.generation;
  param.attr = to_stat(entry.attr);
  param.attr_timeout = entry.attr_timeout.count();
  param.entry_timeout = entry.entry_timeout.count();
  return param;
}

struct statvfs to_statvfs(const vfs::FsStats& stats) {
  struct statvfs out {};
  out.f_bsize = stats.block_size;
  out.f_frsize = stats.block_size;
  out.f_blocks = stats.blocks;
  out.f_bfree = stats.blocks_free;
  out.f_bavail = stats.blocks_available;
  out.f_files = stats.files;
  out.f_ffree = stats.files_free;
  out.f_favail = stats.files_free;
  out.f_namemax = stats.name_max;
  return out;
}

vfs::Caller to_caller(const fuse_ctx& ctx) {
  return vfs::Caller{.uid = ctx.uid, .gid = ctx.gid, .pid = ctx.pid, .umask = ctx.umask};
}

vfs::SetAttr to_set_attr(const struct stat& attr, int to_set) {
  vfs::SetAttr changes;
  if ((to_set & FUSE_SET_ATTR_MODE) != 0) changes.mode = attr.st_mode;
  if ((to_set & FUSE_SET_ATTR_UID) != 0) changes.uid = attr.st_uid;
  if ((to_set & FUSE_SET_ATTR_GID) != 0) changes.gid = attr.st_gid;
  if ((to_set & FUSE_SET_ATTR_SIZE) != 0) changes.size = static_cast<uint64_t>(attr.st_size);
  if ((to_set & FUSE_SET_ATTR_ATIME_NOW) != 0) {
    changes.atime_now = true;
  } else if ((to_set & FUSE_SET_ATTR_ATIME) != 0) {
    changes.atime = from_timespec(attr.st_atim);
  }
  if ((to_set & FUSE_SET_ATTR_MTIME_NOW) != 0) {
    changes.mtime_now = true;
  } else if ((to_set & FUSE_SET_ATTR_MTIME) != 0) {
    changes.mtime = from_timespec(attr.st_mtim);
  }
  return changes;
}

int vfs_open_flags(int kernel_flags, bool writeback_cache) {
  if (!writeback_cache) return kernel_flags;
  int flags = kernel_flags & ~O_APPEND;
  if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
  return flags;
}

std::string join_xattr_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    out += name;
    out += '\0';
  }
  return out;
}

}  // namespace autosync::fs
