// Callbacks on names and attributes: lookup counting, attributes, creating and removing
// names. Each unpacks, calls one Vfs method and replies (see fuse_adapter.h).
#include <optional>

#include "fs/fuse_convert.h"
#include "fs/fuse_ops.h"
#include "fs/fuse_request.h"

namespace autosync::fs::ops {

// A name that is not there is answered as a negative entry (inode 0) the kernel keeps for
// the attribute timeout, so asking again (a create looks the name up first, tools stat
// before they write) costs no round trip; a change the daemon sees on the store drops it
// (Invalidator).
void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  guarded(req, "lookup", [&](Request& r) {
    auto entry = r.vfs().lookup(r.caller(), parent, name);
    if (!entry && entry.status().is(ErrorKind::kNotFound)) {
      vfs::Entry negative;  // attr.ino == 0
      negative.entry_timeout = r.adapter().options().attr_timeout;
      return r.reply_entry(negative);
    }
    r.reply_entry(entry);
  });
}

void forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  guarded(
      req, "forget",
      [&](Request& r) {
        r.adapter().forget(ino, nlookup);
        r.reply_none();
      },
      ReplyKind::kNone);
}

void forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  guarded(req, "forget_multi", [&](Request& r) {
    for (size_t i = 0; i < count; ++i)
      r.adapter().forget(forgets[i].ino, forgets[i].nlookup);
    r.reply_none();
  });
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
  guarded(req, "getattr", [&](Request& r) { r.reply_attr(r.vfs().getattr(ino)); });
}

void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  guarded(req, "setattr", [&](Request& r) {
    const std::optional<vfs::Handle> handle =
        fi != nullptr ? std::optional<vfs::Handle>(fi->fh) : std::nullopt;
    r.reply_attr(r.vfs().setattr(r.caller(), ino, to_set_attr(*attr, to_set), handle));
  });
}

void readlink(fuse_req_t req, fuse_ino_t ino) {
  guarded(req, "readlink", [&](Request& r) { r.reply_readlink(r.vfs().readlink(ino)); });
}

void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  guarded(req, "mknod",
          [&](Request& r) { r.reply_entry(r.vfs().mknod(r.caller(), parent, name, mode, rdev)); });
}

void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  guarded(req, "mkdir",
          [&](Request& r) { r.reply_entry(r.vfs().mkdir(r.caller(), parent, name, mode)); });
}

void unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  guarded(req, "unlink",
          [&](Request& r) { r.reply_status(r.vfs().unlink(r.caller(), parent, name)); });
}

void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  guarded(req, "rmdir",
          [&](Request& r) { r.reply_status(r.vfs().rmdir(r.caller(), parent, name)); });
}

void symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  guarded(req, "symlink",
          [&](Request& r) { r.reply_entry(r.vfs().symlink(r.caller(), target, parent, name)); });
}

void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
            const char* new_name, unsigned int flags) {
  guarded(req, "rename", [&](Request& r) {
    r.reply_status(r.vfs().rename(r.caller(), parent, name, new_parent, new_name, flags));
  });
}

void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name) {
  guarded(req, "link", [&](Request& r) {
    auto entry = r.vfs().link(r.caller(), ino, new_parent, new_name);
    if (!entry) return r.reply_status(entry.status(), ErrnoContext::kLink);
    r.reply_entry(entry);
  });
}

// Permission checks are the kernel's (default_permissions); see fuse_adapter.h.
void access(fuse_req_t req, fuse_ino_t /*ino*/, int /*mask*/) {
  guarded(req, "access", [&](Request& r) { r.reply_errno(0); });
}

}  // namespace autosync::fs::ops
