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
    case ErrorKind::kNotDirectory:
      return "not a directory";
    case ErrorKind::kIsDirectory:
      return "is a directory";
    case ErrorKind::kNotEmpty:
      return "directory not empty";
    case ErrorKind::kNameTooLong:
      return "name too long";
    case ErrorKind::kNotPermitted:
      return "not permitted";
    case ErrorKind::kReadOnly:
      return "read-only";
    case ErrorKind::kNoAttribute:
      return "no such attribute";
    case ErrorKind::kTooBig:
      return "too big";
  }
  return "unknown";
}

Status Status::context(std::string_view what) && {
  if (is_ok()) return std::move(*this);
  // Layers that each name what they were doing can name the same thing: say it once.
  const bool said = message_.starts_with(what) && message_.size() > what.size() &&
                    std::string_view(message_).substr(what.size()).starts_with(": ");
  if (!said) message_ = fmt::format("{}: {}", what, message_);
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
      return Status::error(ErrorKind::kNotFound, message);
    case ENOTDIR:
      return Status::error(ErrorKind::kNotDirectory, message);
    case EISDIR:
      return Status::error(ErrorKind::kIsDirectory, message);
    case ENOTEMPTY:
      return Status::error(ErrorKind::kNotEmpty, message);
    case EEXIST:
      return Status::error(ErrorKind::kAlreadyExists, message);
    case EACCES:
      return Status::error(ErrorKind::kAccessDenied, message);
    case EPERM:
      return Status::error(ErrorKind::kNotPermitted, message);
    case EROFS:
      return Status::error(ErrorKind::kReadOnly, message);
    case ENOSPC:
    case EDQUOT:
      return Status::error(ErrorKind::kNoSpace, message);
    case EINVAL:
      return Status::error(ErrorKind::kInvalid, message);
    case ENAMETOOLONG:
      return Status::error(ErrorKind::kNameTooLong, message);
    case ENODATA:
      return Status::error(ErrorKind::kNoAttribute, message);
    case EFBIG:
    case ERANGE:
      return Status::error(ErrorKind::kTooBig, message);
    default:
      return Status::error(ErrorKind::kIo, message);
  }
}

}  // namespace autosync
