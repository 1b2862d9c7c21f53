// Status: the error value every module boundary returns instead of throwing.
//
// A Status carries a kind the caller can branch on (retry? map to which errno?), a one-line
// message for people, and, for errors that came from a server, the server's own error code,
// HTTP status and request id so a support ticket can name the exact request.
// Value type; cheap to move; thread-compatible.
#pragma once

#include <string>
#include <string_view>

namespace autosync {

enum class ErrorKind {
  kOk,
  kNotFound,            // the object, file or bucket does not exist
  kAlreadyExists,       // creating something that is there
  kAccessDenied,        // credentials rejected or not allowed
  kPreconditionFailed,  // If-Match / If-None-Match did not hold
  kThrottled,           // the store asked us to slow down (503 SlowDown, 429, 503 ServerBusy)
  kTransient,           // network failure, timeout, 5xx: trying again may work
  kInvalid,             // bad argument, bad config, malformed answer we cannot use
  kUnsupported,         // the store or build cannot do this
  kNoSpace,             // local disk full
  kIo,                  // local I/O error
  kCorrupt,             // data or index failed a consistency check
  kInternal,            // a bug: an invariant did not hold
  // File-system outcomes the VFS reports (fs/ maps each to its errno in one place).
  kNotDirectory,  // a path component is not a directory (ENOTDIR)
  kIsDirectory,   // a file operation on a directory (EISDIR)
  kNotEmpty,      // removing or replacing a directory that has entries (ENOTEMPTY)
  kNameTooLong,   // a name or key over the limit (ENAMETOOLONG)
  kNotPermitted,  // the operation is not allowed on this object (EPERM)
  kReadOnly,      // the mount or the object is read-only (EROFS)
  kNoAttribute,   // no such extended attribute (ENODATA)
  kTooBig,        // a value does not fit the caller's buffer (ERANGE) or a limit (EFBIG)
};

std::string_view to_string(ErrorKind kind);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status ok() { return {}; }
  static Status error(ErrorKind kind, std::string message) {
    return Status(kind, std::move(message));
  }

  bool is_ok() const { return kind_ == ErrorKind::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorKind kind() const { return kind_; }
  bool is(ErrorKind kind) const { return kind_ == kind; }
  // Throttling and transient failures may succeed when tried again; nothing else will.
  bool retryable() const {
    return kind_ == ErrorKind::kThrottled || kind_ == ErrorKind::kTransient;
  }

  const std::string& message() const { return message_; }
  const std::string& server_code() const { return server_code_; }
  const std::string& request_id() const { return request_id_; }
  int http_status() const { return http_status_; }

  // Details from a server answer; chainable so a backend builds one in a single expression.
  Status& with_server_code(std::string code) & {
    server_code_ = std::move(code);
    return *this;
  }
  Status with_server_code(std::string code) && {
    server_code_ = std::move(code);
    return std::move(*this);
  }
  Status& with_request_id(std::string id) & {
    request_id_ = std::move(id);
    return *this;
  }
  Status with_request_id(std::string id) && {
    request_id_ = std::move(id);
    return std::move(*this);
  }
  Status& with_http_status(int code) & {
    http_status_ = code;
    return *this;
  }
  Status with_http_status(int code) && {
    http_status_ = code;
    return std::move(*this);
  }

  // Prefixes the message with what was being done: "put docs/a.txt: access denied ...";
  // a message that already starts with "WHAT: " is left as it is.
  Status context(std::string_view what) &&;

  // One line for logs and users: "<message> [<kind>; HTTP 403 AccessDenied; request id X]".
  std::string to_string() const;

 private:
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
  std::string server_code_;
  std::string request_id_;
  int http_status_ = 0;
};

inline Status not_found(std::string m) {
  return Status::error(ErrorKind::kNotFound, std::move(m));
}
inline Status invalid(std::string m) {
  return Status::error(ErrorKind::kInvalid, std::move(m));
}
inline Status transient(std::string m) {
  return Status::error(ErrorKind::kTransient, std::move(m));
}
inline Status io_error(std::string m) {
  return Status::error(ErrorKind::kIo, std::move(m));
}
inline Status internal(std::string m) {
  return Status::error(ErrorKind::kInternal, std::move(m));
}
inline Status unsupported(std::string m) {
  return Status::error(ErrorKind::kUnsupported, std::move(m));
}

// Maps an errno from a failed system call on a local file to a Status.
Status from_errno(int err, std::string_view what);

}  // namespace autosync

// Returns early from the enclosing function when `expr` (a Status) is an error.
#define AUTOSYNC_RETURN_IF_ERROR(expr)                      \
  do {                                                      \
    ::autosync::Status autosync_status_ = (expr);           \
    if (!autosync_status_.is_ok()) return autosync_status_; \
  } while (false)
