// The one Status -> errno mapping, kind by kind, with the two context-dependent cases.
#include "fs/errno_map.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <utility>
#include <vector>

namespace autosync::fs {
namespace {

TEST_CASE("every error kind maps to its errno", "[errno_map]") {
  const std::vector<std::pair<ErrorKind, int>> expected = {
      {ErrorKind::kOk, 0},
      {ErrorKind::kNotFound, ENOENT},
      {ErrorKind::kAlreadyExists, EEXIST},
      {ErrorKind::kAccessDenied, EACCES},
      {ErrorKind::kPreconditionFailed, EIO},
      {ErrorKind::kThrottled, EIO},
      {ErrorKind::kTransient, EIO},
      {ErrorKind::kInvalid, EINVAL},
      {ErrorKind::kUnsupported, ENOTSUP},
      {ErrorKind::kNoSpace, ENOSPC},
      {ErrorKind::kIo, EIO},
      {ErrorKind::kCorrupt, EIO},
      {ErrorKind::kInternal, EIO},
      {ErrorKind::kNotDirectory, ENOTDIR},
      {ErrorKind::kIsDirectory, EISDIR},
      {ErrorKind::kNotEmpty, ENOTEMPTY},
      {ErrorKind::kNameTooLong, ENAMETOOLONG},
      {ErrorKind::kNotPermitted, EPERM},
      {ErrorKind::kReadOnly, EROFS},
      {ErrorKind::kNoAttribute, ENODATA},
      {ErrorKind::kTooBig, EFBIG},
  };
  for (const auto& [kind, err] : expected) {
    INFO(to_string(kind));
    CHECK(to_errno(kind) == err);
  }
}

TEST_CASE("a Status maps by its kind", "[errno_map]") {
  CHECK(to_errno(Status()) == 0);
  CHECK(to_errno(not_found("lookup 1/x: no such entry")) == ENOENT);
  CHECK(to_errno(transient("get a: timeout").with_http_status(503)) == EIO);
}

TEST_CASE("kTooBig is ERANGE for extended attributes", "[errno_map]") {
  CHECK(to_errno(ErrorKind::kTooBig, ErrnoContext::kXattr) == ERANGE);
  CHECK(to_errno(ErrorKind::kNoAttribute, ErrnoContext::kXattr) == ENODATA);
  CHECK(to_errno(ErrorKind::kTooBig, ErrnoContext::kLink) == EFBIG);
}

TEST_CASE("kUnsupported is EPERM for link(2)", "[errno_map]") {
  CHECK(to_errno(ErrorKind::kUnsupported, ErrnoContext::kLink) == EPERM);
  CHECK(to_errno(ErrorKind::kUnsupported, ErrnoContext::kXattr) == ENOTSUP);
  CHECK(to_errno(ErrorKind::kNotFound, ErrnoContext::kLink) == ENOENT);
}

}  // namespace
}  // namespace autosync::fs
