// Callbacks on directories and the file system: opendir/readdir/releasedir, statfs. Each
// unpacks, calls one Vfs method and replies (see fuse_adapter.h).
#include <memory>
#include <string_view>

#include "fs/fuse_convert.h"
#include "fs/fuse_ops.h"
#include "fs/fuse_request.h"

namespace autosync::fs::ops {
namespace {

// The readdir reply buffer, filled with fuse_add_direntry until the next entry does not fit.
class DirBuffer {
 public:
  DirBuffer(fuse_req_t req, size_t capacity)
      : req_(req), capacity_(capacity), bytes_(std::make_unique_for_overwrite<char[]>(capacity)) {}

  // False when `entry` does not fit: it was not added and the reply is full.
  bool add(const vfs::DirEntry& entry) {
    struct stat st {};
    st.st_ino = entry.ino;
    st.st_mode = entry.type;
    const size_t room = capacity_ - used_;
    const size_t need = fuse_add_direntry(req_, bytes_.get() + used_, room, entry.name.c_str(), &st,
                                          static_cast<off_t>(entry.cookie));
    if (need > room) return false;
    used_ += need;
    return true;
  }
  // readdirplus: the entry with its attributes, so `ls -l` costs no LOOKUP per name. The
  // kernel takes a lookup reference for every entry with a nonzero ino, so the Vfs lookup
  // that supplies the attributes is undone when the entry does not fit. "." and ".." (and a
  // name gone meanwhile) go without attributes (ino 0): the kernel then only lists them.
  bool add_plus(const vfs::DirEntry& entry, const Result<vfs::Entry>& found, FuseAdapter& adapter) {
    fuse_entry_param param{};
    param.attr.st_ino = entry.ino;
    param.attr.st_mode = entry.type;
    if (found.is_ok()) param = to_entry_param(*found);
    const size_t room = capacity_ - used_;
    const size_t need = fuse_add_direntry_plus(req_, bytes_.get() + used_, room, entry.name.c_str(),
                                               &param, static_cast<off_t>(entry.cookie));
    if (need > room) {
      if (found.is_ok()) adapter.forget(found->attr.ino, 1);
      return false;
    }
    if (found.is_ok()) adapter.generations().replied(found->attr.ino, found->generation);
    used_ += need;
    return true;
  }
  bool empty() const { return used_ == 0; }
  std::string_view view() const { return {bytes_.get(), used_}; }

 private:
  fuse_req_t req_;
  size_t capacity_;
  size_t used_ = 0;
  std::unique_ptr<char[]> bytes_;
};

}  // namespace

void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(req, "opendir",
          [&](Request& r) { r.reply_opendir(ino, r.vfs().opendir(r.caller(), ino), *fi); });
}

void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  guarded(req, "readdir", [&](Request& r) {
    DirBuffer buffer(req, size);
    const Status status = r.vfs().readdir(ino, fi->fh, static_cast<uint64_t>(off),
                                          [&](const vfs::DirEntry& e) { return buffer.add(e); });
    // Entries gathered before a failure are still good; the next call meets the error.
    if (!status && buffer.empty()) return r.reply_status(status);
    r.reply_buf(buffer.view());
  });
}

void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  guarded(req, "readdirplus", [&](Request& r) {
    DirBuffer buffer(req, size);
    const Status status =
        r.vfs().readdirplus(r.caller(), ino, fi->fh, static_cast<uint64_t>(off),
                            [&](const vfs::DirEntry& e, const Result<vfs::Entry>& found) {
                              return buffer.add_plus(e, found, r.adapter());
                            });
    if (!status && buffer.empty()) return r.reply_status(status);
    r.reply_buf(buffer.view());
  });
}

void releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(req, "releasedir", [&](Request& r) { r.reply_status(r.vfs().releasedir(ino, fi->fh)); });
}

void statfs(fuse_req_t req, fuse_ino_t ino) {
  guarded(req, "statfs", [&](Request& r) { r.reply_statfs(r.vfs().statfs(ino)); });
}

}  // namespace autosync::fs::ops
