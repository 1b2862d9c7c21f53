// How the merged Options (core/config) become the settings of the mount's pieces: the
// CacheVfs, the FUSE session, the cache. Pure functions of the Options and who mounts.
#pragma once

#include <sys/types.h>

#include "core/config/config.h"
#include "core/vfs/vfs_options.h"
#include "fs/mount_session.h"

namespace autosync::fs {

// `uid`/`gid`: the mounting user, owner of objects whose metadata names none unless the
// options say otherwise.
vfs::VfsOptions vfs_options_of(const config::Options& options, uid_t uid, gid_t gid);
MountOptions mount_options_of(const config::Options& options);

}  // namespace autosync::fs
