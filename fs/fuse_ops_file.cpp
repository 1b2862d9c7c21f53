// Callbacks on open files: create/open, data, fsync/release. Each unpacks, calls one
// Vfs method and replies (see fuse_adapter.h).
#include <memory>
#include <span>
#include <string_view>

#include "fs/fuse_convert.h"
#include "fs/fuse_ops.h"
#include "fs/fuse_request.h"

namespace autosync::fs::ops {
namespace {

int open_flags(const Request& r, const fuse_file_info& fi) {
  return vfs_open_flags(fi.flags, r.adapter().writeback_cache_active());
}

}  // namespace

void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  guarded(req, "create", [&](Request& r) {
    r.reply_create(r.vfs().create(r.caller(), parent, name, mode, open_flags(r, *fi)), *fi);
  });
}

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(req, "open", [&](Request& r) {
    r.reply_open(ino, r.vfs().open(r.caller(), ino, open_flags(r, *fi)), *fi);
  });
}

void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  guarded(req, "read", [&](Request& r) {
    auto buffer = std::make_unique_for_overwrite<char[]>(size);
    auto n = r.vfs().read(ino, fi->fh, static_cast<uint64_t>(off), std::span(buffer.get(), size));
    if (!n) return r.reply_status(n.status());
    r.reply_buf(std::string_view(buffer.get(), *n));
  });
}

void write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off,
           fuse_file_info* fi) {
  guarded(req, "write", [&](Request& r) {
    r.reply_write(r.vfs().write(ino, fi->fh, static_cast<uint64_t>(off), std::span(buf, size)));
  });
}

void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(req, "release", [&](Request& r) { r.reply_status(r.vfs().release(ino, fi->fh)); });
}

void fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  guarded(req, "fsync",
          [&](Request& r) { r.reply_status(r.vfs().fsync(ino, fi->fh, datasync != 0)); });
}

}  // namespace autosync::fs::ops
