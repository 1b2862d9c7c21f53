// errno_map: the one place a Status becomes the errno the kernel hands to the application.
//
// Most kinds have one meaning everywhere; two depend on the operation, which the caller
// names with an ErrnoContext:
//   - kTooBig is ERANGE for extended attributes (getxattr/listxattr buffer too small, a
//     value over the file system's limit: setxattr(2) documents ERANGE for both) and EFBIG
//     elsewhere (a file offset or size over the limit).
//   - kUnsupported is EPERM for link(2): POSIX and link(2) say "the file system does not
//     support the creation of hard links" is EPERM, and that is what cp -l, git and rsync
//     expect and handle; elsewhere it is ENOTSUP.
// Pure functions; thread-safe.
#pragma once

#include "core/base/status.h"

namespace autosync::fs {

enum class ErrnoContext {
  kGeneral,
  kXattr,  // setxattr, getxattr, listxattr, removexattr
  kLink,   // link(2)
};

// 0 for an ok Status, otherwise a positive errno.
int to_errno(ErrorKind kind, ErrnoContext context = ErrnoContext::kGeneral);
int to_errno(const Status& status, ErrnoContext context = ErrnoContext::kGeneral);

}  // namespace autosync::fs
