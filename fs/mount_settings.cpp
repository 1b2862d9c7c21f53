#include "fs/mount_settings.h"

namespace autosync::fs {

vfs::VfsOptions vfs_options_of(const config::Options& options, uid_t uid, gid_t gid) {
  vfs::VfsOptions out;
  out.uid = options.fuse.uid.value_or(uid);
  out.gid = options.fuse.gid.value_or(gid);
  out.umask = static_cast<mode_t>(options.fuse.umask.value_or(022));
  out.attr_ttl = options.cache.attr_ttl;
  out.dir_ttl = options.cache.dir_ttl;
  out.read_only = options.fuse.read_only;
  out.cache_limit_bytes = options.cache.max_bytes;
  out.fsync_waits_for_upload = options.cache.fsync_waits_for_upload;
  return out;
}

MountOptions mount_options_of(const config::Options& options) {
  MountOptions out;
  out.fsname = backends::to_string(options.store.remote);
  out.allow_other = options.fuse.allow_other;
  // Other users get in only under the kernel's permission checks: the Vfs does none itself.
  out.default_permissions = options.fuse.default_permissions || options.fuse.allow_other;
  out.read_only = options.fuse.read_only;
  out.debug = options.fuse.debug;
  out.extra = options.fuse.passthrough;
  out.adapter.attr_timeout = options.cache.attr_ttl;
  out.adapter.writeback_cache = options.fuse.writeback_cache;
  return out;
}

}  // namespace autosync::fs
