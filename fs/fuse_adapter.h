// FuseAdapter: binds libfuse's low-level operation table to one vfs::Vfs.
//
// The table (FuseAdapter::operations()) is a constant shared by every mount; the adapter
// object is the session's userdata, so each callback finds its Vfs through the request.
// Each callback unpacks its arguments, calls one Vfs method and sends exactly one reply,
// inside the one guard of fuse_request.h (errors through errno_map.h, exceptions become EIO).
//
// What the adapter decides itself, because it is about the FUSE protocol and not meaning:
//   - init: asks for the kernel writeback cache when options.writeback_cache and the kernel
//     offers it; max_write as configured (1 MiB); never FUSE_CAP_EXPORT_SUPPORT (the Vfs
//     does not answer lookups of "." and "..").
//   - with the writeback cache on, open/create pass the Vfs O_RDWR for O_WRONLY (the kernel
//     reads to fill partial pages) and drop O_APPEND (the kernel picks append offsets).
//   - access(2) is answered 0: permission checks belong to the kernel (mount with
//     default_permissions, which MountSession does by default).
//   - a reply the kernel refuses (the request was interrupted) is undone: a lookup
//     reference is forgotten, an opened handle released.
//   - readdirplus answers each name with its attributes (a Vfs lookup), so listing a
//     directory with `ls -l` costs no LOOKUP round trip per name.
//   - a lookup of a missing name replies a negative entry (inode 0) for the attribute
//     timeout, so the kernel does not ask again for it meanwhile.
//   - flush, fsyncdir, fallocate, locks, ioctl, poll, copy_file_range and lseek are not
//     implemented: the kernel falls back (flush: never sent again after the first ENOSYS,
//     the page cache is still written back at close; fsyncdir succeeds; fallocate ->
//     EOPNOTSUPP; locks are local to this machine).
//
// Threading: callbacks run concurrently on libfuse's worker threads; the adapter holds only
// immutable options and an atomic flag set once in init. Ownership: the adapter refers to
// the Vfs, which must outlive the session.
#pragma once

#include <atomic>

#include "core/vfs/vfs.h"
#include "fs/adapter_options.h"
#include "fs/fuse_api.h"
#include "fs/kernel_generations.h"

namespace autosync::fs {

class FuseAdapter {
 public:
  FuseAdapter(vfs::Vfs& vfs, AdapterOptions options) : vfs_(vfs), options_(options) {}
  FuseAdapter(const FuseAdapter&) = delete;
  FuseAdapter& operator=(const FuseAdapter&) = delete;

  // The operation table for fuse_session_new, with `this` as the userdata.
  static const fuse_lowlevel_ops& operations();

  vfs::Vfs& vfs() const { return vfs_; }
  const AdapterOptions& options() const { return options_; }
  // True once init negotiated the writeback cache with the kernel.
  bool writeback_cache_active() const { return writeback_active_.load(); }
  void set_writeback_cache_active(bool active) { writeback_active_.store(active); }
  // The generation each inode's last entry reply carried (see kernel_generations.h).
  KernelGenerations& generations() { return generations_; }
  // Drops `count` of the kernel's references to `ino`; after the last, forgets its generation.
  void forget(vfs::Ino ino, uint64_t count) {
    if (vfs_.forget(ino, count)) generations_.forgotten(ino);
  }

 private:
  vfs::Vfs& vfs_;
  const AdapterOptions options_;
  std::atomic<bool> writeback_active_{false};
  KernelGenerations generations_;
};

}  // namespace autosync::fs
