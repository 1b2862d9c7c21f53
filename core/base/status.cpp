#include "core/base/status.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace autosync {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk:
      return "ok";
    case ErrorKind::kNotFound:
      return "not found";
    case ErrorKind::kAlreadyExists:
      return "already exists";
    case ErrorKind::kAccessDenied:
      return "access denied";
    case ErrorKind::kPreconditionFailed:
      return "precondition failed";
    case ErrorKind::kThrottled:
      return "throttled";
    case ErrorKind::kTransient:
      return "transient";
    case ErrorKind::kInvalid:
      return "invalid";
    case ErrorKind::kUnsupported:
      return "unsupported";
    case ErrorKind::kNoSpace:
      return "no space";
    case ErrorKind::kIo:
      return "i/o error";
    case ErrorKind::kCorrupt:
      return "corrupt";
    case ErrorKind::kInternal:
      return "internal error";
  }
  return "unknown";
}

Status Status::context(std::string_view what) && {
  if (!is_ok()) message_ = fmt::format("{}: {}", what, message_);
  return std::move(*this);
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string details(autosync::to_string(kind_));
  if (http_status_ != 0) details += fmt::format("; HTTP {}", http_status_);
  if (!server_code_.empty()) details += " " + server_code_;
  if (!request_id_.empty()) details += "; request id " + request_id_;
  return fmt::format("{} [{}]", message_, details);
}

Status from_errno(int err, std::string_view what) {
  std::array<char, 256> buf{};
  // GNU strerror_r: thread-safe, returns a pointer to the text (not always into buf).
  const std::string message = fmt::format("{}: {}", what, strerror_r(err, buf.data(), buf.size()));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Status::error(ErrorKind::kNotFound, message);
    case EEXIST:
      return Status::error(ErrorKind::kAlreadyExists, message);
    case EACCES:
    case EPERM:
      return Status::error(ErrorKind::kAccessDenied, message);
    case ENOSPC:
    case EDQUOT:
      return Status::error(ErrorKind::kNoSpace, message);
    case EINVAL:
    case ENAMETOOLONG:
      return Status::error(ErrorKind::kInvalid, message);
    default:
      return Status::error(ErrorKind::kIo, message);
  }
}

}  // namespace autosync
