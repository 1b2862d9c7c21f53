// Vfs: the file-system operations the FUSE driver translates kernel requests into.
//
// fs/ is a thin adapter: each fuse_lowlevel_ops callback unpacks its arguments, calls one
// Vfs method, and replies (mapping a Status to an errno in one place). Everything with
// meaning — caching, the index, the object store, sync — lives behind this interface, so
// unit tests drive the file system without a kernel, and the adapter can be tested through
// a real mount against a small in-memory Vfs.
//
// Inode numbers are stable (rows of the cache index; kRootIno is the mount's root). Lookup
// counts follow FUSE: every successful lookup/create/mkdir/mknod/symlink/link reply adds one
// reference to the inode it returns; forget() drops references; an inode with no
// references and no links may be reclaimed.
//
// Thread-safety: every method may be called concurrently from the FUSE worker threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace autosync::vfs {

using Ino = uint64_t;
inline constexpr Ino kRootIno = 1;

// Who asks: from the FUSE request (fuse_req_ctx).
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  mode_t umask = 022;
};

struct Timespec {
  int64_t sec = 0;
  int64_t nsec = 0;
};

struct Attr {
  Ino ino = 0;
  mode_t mode = 0;  // type and permission bits, as st_mode
  uint32_t nlink = 1;
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // 512-byte blocks allocated locally (cached bytes)
  dev_t rdev = 0;
  Timespec atime, mtime, ctime;
};

// A lookup answer: the inode's attributes and how long the kernel may trust them.
struct Entry {
  Attr attr;
  uint64_t generation = 0;  // bumps if an inode number is ever reused
  std::chrono::duration<double> attr_timeout{1.0};
  std::chrono::duration<double> entry_timeout{1.0};
};

// setattr: only the fields that are set change. A time may be "now".
struct SetAttr {
  std::optional<mode_t> mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<uint64_t> size;
  std::optional<Timespec> atime, mtime;
  bool atime_now = false;
  bool mtime_now = false;
};

using Handle = uint64_t;  // an open file or directory, chosen by the Vfs

struct OpenReply {
  Handle handle = 0;
  bool keep_cache = false;  // the kernel's page cache for this file is still valid
  bool direct_io = false;
  uint64_t generation = 0;  // the inode's generation now (Entry::generation)
};

struct DirEntry {
  std::string name;
  Ino ino = 0;
  mode_t type = 0;      // S_IFREG, S_IFDIR, ... (file type bits only)
  uint64_t cookie = 0;  // readdir offset of the entry after this one
};

struct FsStats {
  uint64_t block_size = 4096;
  uint64_t blocks = 0, blocks_free = 0, blocks_available = 0;
  uint64_t files = 0, files_free = 0;
  uint32_t name_max = 255;
};

// rename(2) flags (RENAME_NOREPLACE, RENAME_EXCHANGE) as the kernel passes them.
using RenameFlags = unsigned int;

class Vfs {
 public:
  virtual ~Vfs() = default;

  virtual Result<Entry> lookup(const Caller& who, Ino parent, std::string_view name) = 0;
  // True when that was the last reference the kernel held (or one the VFS never counted).
  virtual bool forget(Ino ino, uint64_t count) = 0;
  virtual Result<Attr> getattr(Ino ino) = 0;
  // `handle` is set when the kernel names an open file (ftruncate, futimens).
  virtual Result<Attr> setattr(const Caller& who, Ino ino, const SetAttr& changes,
                               std::optional<Handle> handle) = 0;
  virtual Result<std::string> readlink(Ino ino) = 0;

  virtual Result<Entry> mknod(const Caller& who, Ino parent, std::string_view name, mode_t mode,
                              dev_t rdev) = 0;
  virtual Result<Entry> mkdir(const Caller& who, Ino parent, std::string_view name,
                              mode_t mode) = 0;
  virtual Result<Entry> symlink(const Caller& who, std::string_view target, Ino parent,
                                std::string_view name) = 0;
  virtual Result<Entry> link(const Caller& who, Ino ino, Ino new_parent,
                             std::string_view new_name) = 0;
  virtual Status unlink(const Caller& who, Ino parent, std::string_view name) = 0;
  virtual Status rmdir(const Caller& who, Ino parent, std::string_view name) = 0;
  virtual Status rename(const Caller& who, Ino parent, std::string_view name, Ino new_parent,
                        std::string_view new_name, RenameFlags flags) = 0;

  // Files. `flags` are open(2)'s (O_ACCMODE, O_TRUNC, O_APPEND, O_EXCL...).
  virtual Result<std::pair<Entry, OpenReply>> create(const Caller& who, Ino parent,
                                                     std::string_view name, mode_t mode,
                                                     int flags) = 0;
  virtual Result<OpenReply> open(const Caller& who, Ino ino, int flags) = 0;
  // Reads up to out.size() bytes; fewer only at the end of the file.
  virtual Result<size_t> read(Ino ino, Handle handle, uint64_t offset, std::span<char> out) = 0;
  virtual Result<size_t> write(Ino ino, Handle handle, uint64_t offset,
                               std::span<const char> data) = 0;
  virtual Status flush(Ino ino, Handle handle) = 0;  // close(2) of one descriptor
  virtual Status fsync(Ino ino, Handle handle, bool data_only) = 0;
  virtual Status release(Ino ino, Handle handle) = 0;  // the last descriptor is gone

  // Directories: entries are handed to `emit` from `cookie` on until it returns false. The
  // Vfs emits "." and ".." itself (cookies 1 and 2), then the entries in a stable order.
  virtual Result<Handle> opendir(const Caller& who, Ino ino) = 0;
  virtual Status readdir(Ino ino, Handle handle, uint64_t cookie,
                         const std::function<bool(const DirEntry&)>& emit) = 0;
  // readdir with attributes (FUSE readdirplus): `emit` also gets each child's lookup answer,
  // already counted as a lookup reference (the caller forgets it when it does not reply the
  // entry), or an error for "." and ".." and for a name gone meanwhile. The default looks
  // each child up; a Vfs can answer a page of them at once.
  using PlusEmit = std::function<bool(const DirEntry&, const Result<Entry>&)>;
  virtual Status readdirplus(const Caller& who, Ino ino, Handle handle, uint64_t cookie,
                             const PlusEmit& emit) {
    return readdir(ino, handle, cookie, [&](const DirEntry& e) {
      const bool dots = e.name == "." || e.name == "..";
      return emit(e, dots ? Result<Entry>(Status::error(ErrorKind::kNotFound, e.name))
                          : lookup(who, ino, e.name));
    });
  }
  virtual Status releasedir(Ino ino, Handle handle) = 0;

  virtual Result<FsStats> statfs(Ino ino) = 0;

  // Extended attributes (user.* are stored; others are kUnsupported).
  virtual Status setxattr(Ino ino, std::string_view name, std::span<const char> value,
                          int flags) = 0;
  virtual Result<std::string> getxattr(Ino ino, std::string_view name) = 0;
  virtual Result<std::vector<std::string>> listxattr(Ino ino) = 0;
  virtual Status removexattr(Ino ino, std::string_view name) = 0;
};

}  // namespace autosync::vfs
