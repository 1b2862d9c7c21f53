#include "fs/fuse_request.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "fs/fuse_convert.h"

namespace autosync::fs {
namespace {

const char* errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : "?";
}

// Errors an application meets in normal use; anything else means storage is in trouble.
bool expected_errno(int err) {
  return err != EIO && err != ENOSPC;
}

}  // namespace

Request::Request(fuse_req_t req, const char* op, ReplyKind kind)
    : req_(req),
      adapter_(*static_cast<FuseAdapter*>(fuse_req_userdata(req))),
      op_(op),
      kind_(kind) {}

Request::~Request() {
  if (replied_) return;
  try {
    spdlog::error("fuse {}: the callback sent no reply", op_);
  } catch (...) {
    // The reply below is what matters.
  }
  reply_for_bug();
}

void Request::reply_for_bug() noexcept {
  replied_ = true;
  if (kind_ == ReplyKind::kNone) {
    fuse_reply_none(req_);
  } else {
    fuse_reply_err(req_, EIO);
  }
}

vfs::Caller Request::caller() const {
  return to_caller(*fuse_req_ctx(req_));
}

bool Request::claim() {
  if (replied_) {
    spdlog::error("fuse {}: a second reply for one request was dropped", op_);
    return false;
  }
  replied_ = true;
  return true;
}

void Request::log_failure(int err, const Status* status) const {
  const std::string detail = status != nullptr ? status->to_string() : std::string();
  if (expected_errno(err)) {
    spdlog::debug("fuse {}: {} {}", op_, errno_name(err), detail);
  } else {
    spdlog::warn("fuse {}: {} {}", op_, errno_name(err), detail);
  }
}

void Request::reply_status(const Status& status, ErrnoContext context) {
  const int err = to_errno(status, context);
  if (!claim()) return;
  if (err != 0) log_failure(err, &status);
  fuse_reply_err(req_, err);
}

void Request::reply_errno(int err) {
  if (!claim()) return;
  if (err != 0) log_failure(err, nullptr);
  fuse_reply_err(req_, err);
}

void Request::reply_entry(const Result<vfs::Entry>& entry) {
  if (!entry) return reply_status(entry.status());
  if (!claim()) return;
  const fuse_entry_param param = to_entry_param(*entry);
  adapter().generations().replied(entry->attr.ino, entry->generation);
  if (fuse_reply_entry(req_, &param) != 0) adapter().forget(entry->attr.ino, 1);
}

void Request::reply_attr(const Result<vfs::Attr>& attr) {
  if (!attr) return reply_status(attr.status());
  if (!claim()) return;
  const struct stat st = to_stat(*attr);
  fuse_reply_attr(req_, &st, adapter().options().attr_timeout.count());
}

void Request::reply_readlink(const Result<std::string>& target) {
  if (!target) return reply_status(target.status());
  if (!claim()) return;
  fuse_reply_readlink(req_, target->c_str());
}

void Request::reply_open(vfs::Ino ino, const Result<vfs::OpenReply>& opened, fuse_file_info& fi) {
  if (!opened) return reply_status(opened.status());
  if (opened->generation != adapter().generations().given(ino)) {
    // The kernel's inode is older than the file (changed on the store): its size is stale.
    // ESTALE makes the kernel look the name up again and open the new inode instead.
    (void)vfs().release(ino, opened->handle);
    return reply_errno(ESTALE);
  }
  if (!claim()) return;
  fi.fh = opened->handle;
  fi.keep_cache = opened->keep_cache ? 1 : 0;
  fi.direct_io = opened->direct_io ? 1 : 0;
  if (fuse_reply_open(req_, &fi) != 0) (void)vfs().release(ino, opened->handle);
}

void Request::reply_opendir(vfs::Ino ino, const Result<vfs::Handle>& opened, fuse_file_info& fi) {
  if (!opened) return reply_status(opened.status());
  if (!claim()) return;
  fi.fh = *opened;
  if (fuse_reply_open(req_, &fi) != 0) (void)vfs().releasedir(ino, *opened);
}

void Request::reply_create(const Result<std::pair<vfs::Entry, vfs::OpenReply>>& created,
                           fuse_file_info& fi) {
  if (!created) return reply_status(created.status());
  if (!claim()) return;
  const auto& [entry, opened] = *created;
  fi.fh = opened.handle;
  fi.keep_cache = opened.keep_cache ? 1 : 0;
  fi.direct_io = opened.direct_io ? 1 : 0;
  const fuse_entry_param param = to_entry_param(entry);
  adapter().generations().replied(entry.attr.ino, entry.generation);
  if (fuse_reply_create(req_, &param, &fi) != 0) {
    (void)vfs().release(entry.attr.ino, opened.handle);
    adapter().forget(entry.attr.ino, 1);
  }
}

void Request::reply_buf(std::string_view bytes) {
  if (!claim()) return;
  fuse_reply_buf(req_, bytes.data(), bytes.size());
}

void Request::reply_write(const Result<size_t>& written) {
  if (!written) return reply_status(written.status());
  if (!claim()) return;
  fuse_reply_write(req_, *written);
}

void Request::reply_statfs(const Result<vfs::FsStats>& stats) {
  if (!stats) return reply_status(stats.status());
  if (!claim()) return;
  const struct statvfs out = to_statvfs(*stats);
  fuse_reply_statfs(req_, &out);
}

void Request::reply_xattr(const Result<std::string>& bytes, size_t size) {
  if (!bytes) return reply_status(bytes.status(), ErrnoContext::kXattr);
  if (size != 0 && bytes->size() > size) return reply_errno(ERANGE);
  if (!claim()) return;
  if (size == 0) {
    fuse_reply_xattr(req_, bytes->size());
  } else {
    fuse_reply_buf(req_, bytes->data(), bytes->size());
  }
}

void Request::reply_none() {
  if (!claim()) return;
  fuse_reply_none(req_);
}

void Request::on_exception(const char* what) noexcept {
  try {
    spdlog::error("fuse {}: exception: {}", op_, what);
  } catch (...) {
    // Logging failed too; the reply below is what matters.
  }
  if (!replied_) reply_for_bug();
}

}  // namespace autosync::fs
