// fuse_convert: pure translations between the kernel's structures and the Vfs types.
// No state, no libfuse calls beyond plain structs; thread-safe.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <string>
#include <vector>

#include "core/vfs/vfs.h"
#include "fs/fuse_api.h"

namespace autosync::fs {

struct stat to_stat(const vfs::Attr& attr);
fuse_entry_param to_entry_param(const vfs::Entry& entry);
struct statvfs to_statvfs(const vfs::FsStats& stats);
vfs::Caller to_caller(const fuse_ctx& ctx);

// The fields of `attr` that `to_set` (FUSE_SET_ATTR_*) names; *_NOW wins over a given time.
// FUSE_SET_ATTR_CTIME is dropped: the Vfs sets ctime itself on every change.
vfs::SetAttr to_set_attr(const struct stat& attr, int to_set);

// open(2) flags as the Vfs should see them. With the writeback cache the kernel reads from
// files opened write-only (to fill partial pages) and computes append offsets itself.
int vfs_open_flags(int kernel_flags, bool writeback_cache);

// listxattr's answer: every name followed by a NUL.
std::string join_xattr_names(const std::vector<std::string>& names);

}  // namespace autosync::fs
