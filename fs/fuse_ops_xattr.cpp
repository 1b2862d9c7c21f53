// Callbacks on extended attributes. Each unpacks, calls one Vfs method and replies (see
// fuse_adapter.h); errors map with ErrnoContext::kXattr (kTooBig is ERANGE here).
#include <span>

#include "fs/fuse_convert.h"
#include "fs/fuse_ops.h"
#include "fs/fuse_request.h"

namespace autosync::fs::ops {

void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) {
  guarded(req, "setxattr", [&](Request& r) {
    r.reply_status(r.vfs().setxattr(ino, name, std::span(value, size), flags),
                   ErrnoContext::kXattr);
  });
}

void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  guarded(req, "getxattr", [&](Request& r) { r.reply_xattr(r.vfs().getxattr(ino, name), size); });
}

void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  guarded(req, "listxattr", [&](Request& r) {
    auto names = r.vfs().listxattr(ino);
    if (!names) return r.reply_status(names.status(), ErrnoContext::kXattr);
    r.reply_xattr(join_xattr_names(*names), size);
  });
}

void removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  guarded(req, "removexattr", [&](Request& r) {
    r.reply_status(r.vfs().removexattr(ino, name), ErrnoContext::kXattr);
  });
}

}  // namespace autosync::fs::ops
