#include "fs/errno_map.h"

#include <cerrno>

namespace autosync::fs {

int to_errno(ErrorKind kind, ErrnoContext context) {
  switch (kind) {
    case ErrorKind::kOk:
      return 0;
    case ErrorKind::kNotFound:
      return ENOENT;
    case ErrorKind::kAlreadyExists:
      return EEXIST;
    case ErrorKind::kAccessDenied:
      return EACCES;
    case ErrorKind::kNotDirectory:
      return ENOTDIR;
    case ErrorKind::kIsDirectory:
      return EISDIR;
    case ErrorKind::kNotEmpty:
      return ENOTEMPTY;
    case ErrorKind::kNameTooLong:
      return ENAMETOOLONG;
    case ErrorKind::kNotPermitted:
      return EPERM;
    case ErrorKind::kReadOnly:
      return EROFS;
    case ErrorKind::kNoAttribute:
      return ENODATA;
    case ErrorKind::kTooBig:
      return context == ErrnoContext::kXattr ? ERANGE : EFBIG;
    case ErrorKind::kNoSpace:
      return ENOSPC;
    case ErrorKind::kInvalid:
      return EINVAL;
    case ErrorKind::kUnsupported:
      return context == ErrnoContext::kLink ? EPERM : ENOTSUP;
    // The application cannot act on the cause of these (a server, the network, a bug), and
    // EIO is what it expects when storage fails under a file system.
    case ErrorKind::kPreconditionFailed:
    case ErrorKind::kThrottled:
    case ErrorKind::kTransient:
    case ErrorKind::kIo:
    case ErrorKind::kCorrupt:
    case ErrorKind::kInternal:
      return EIO;
  }
  return EIO;
}

int to_errno(const Status& status, ErrnoContext context) {
  return to_errno(status.kind(), context);
}

}  // namespace autosync::fs
