// Request and guarded(): the one guard every FUSE callback runs inside.
//
// guarded(req, "op", body) gives `body` a Request that sends exactly one reply: the typed
// reply_* helpers turn a Result or Status into the kernel's answer (errors through
// errno_map.h), any exception `body` lets escape becomes EIO and a log line, and a body
// that forgot to reply gets EIO and a log line too — nothing escapes into libfuse and no
// request is left hanging. Failures are logged once, here: expected outcomes (ENOENT,
// EEXIST, ...) at debug level, storage failures (EIO and the like) as warnings.
//
// A Request lives on the worker thread's stack for one callback; not shared between threads.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/vfs/vfs.h"
#include "fs/errno_map.h"
#include "fs/fuse_adapter.h"
#include "fs/fuse_api.h"

namespace autosync::fs {

// forget and forget_multi take no answer: their "reply" only frees the request.
enum class ReplyKind { kAnswer, kNone };

class Request {
 public:
  Request(fuse_req_t req, const char* op, ReplyKind kind);
  ~Request();  // replies EIO (or none) if nothing was sent: a bug in the callback
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  FuseAdapter& adapter() const { return adapter_; }
  vfs::Vfs& vfs() const { return adapter_.vfs(); }
  vfs::Caller caller() const;

  void reply_status(const Status& status, ErrnoContext context = ErrnoContext::kGeneral);
  void reply_errno(int err);
  // Entries add a lookup reference; one the kernel refuses is forgotten again.
  void reply_entry(const Result<vfs::Entry>& entry);
  void reply_attr(const Result<vfs::Attr>& attr);
  void reply_readlink(const Result<std::string>& target);
  // An open the kernel refuses is released again (the kernel will not send release).
  void reply_open(vfs::Ino ino, const Result<vfs::OpenReply>& opened, fuse_file_info& fi);
  void reply_opendir(vfs::Ino ino, const Result<vfs::Handle>& opened, fuse_file_info& fi);
  void reply_create(const Result<std::pair<vfs::Entry, vfs::OpenReply>>& created,
                    fuse_file_info& fi);
  void reply_buf(std::string_view bytes);
  void reply_write(const Result<size_t>& written);
  void reply_statfs(const Result<vfs::FsStats>& stats);
  // getxattr/listxattr: size 0 asks for the length; a smaller buffer than `bytes` is ERANGE.
  void reply_xattr(const Result<std::string>& bytes, size_t size);
  void reply_none();  // forget: the kernel expects no answer

  // Called by guarded() when the body threw.
  void on_exception(const char* what) noexcept;

 private:
  // Records the outcome; false if this request already had its reply.
  bool claim();
  void log_failure(int err, const Status* status) const;
  void reply_for_bug() noexcept;  // EIO, or nothing for kNone

  fuse_req_t req_;  // freed by libfuse once a reply is sent: no use after that
  FuseAdapter& adapter_;
  const char* op_;
  ReplyKind kind_;
  bool replied_ = false;
};

// Runs `body(Request&)` for one FUSE callback; see the file comment.
template <typename Body>
void guarded(fuse_req_t req, const char* op, Body&& body,
             ReplyKind kind = ReplyKind::kAnswer) noexcept {
  Request request(req, op, kind);
  try {
    body(request);
  } catch (const std::exception& e) {
    request.on_exception(e.what());
  } catch (...) {
    request.on_exception("unknown exception");
  }
}

}  // namespace autosync::fs
