#include "backends/azure/blob_errors.h"

#include <fmt/format.h>

#include <string>

#include "backends/azure/blob_xml.h"
#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

struct CodeKind {
  std::string_view code;
  ErrorKind kind;
};

// Codes whose meaning is sharper than their HTTP status (a 409 BlobAlreadyExists is the
// answer to If-None-Match: * on an existing blob, i.e. a failed precondition).
constexpr CodeKind kCodeKinds[] = {
    {"BlobNotFound", ErrorKind::kNotFound},
    {"ContainerNotFound", ErrorKind::kNotFound},
    {"ResourceNotFound", ErrorKind::kNotFound},
    {"CannotVerifyCopySource", ErrorKind::kNotFound},
    {"AuthenticationFailed", ErrorKind::kAccessDenied},
    {"AuthorizationFailure", ErrorKind::kAccessDenied},
    {"AuthorizationPermissionMismatch", ErrorKind::kAccessDenied},
    {"AuthorizationSourceIPMismatch", ErrorKind::kAccessDenied},
    {"InsufficientAccountPermissions", ErrorKind::kAccessDenied},
    {"AccountIsDisabled", ErrorKind::kAccessDenied},
    {"ConditionNotMet", ErrorKind::kPreconditionFailed},
    {"SourceConditionNotMet", ErrorKind::kPreconditionFailed},
    {"TargetConditionNotMet", ErrorKind::kPreconditionFailed},
    {"BlobAlreadyExists", ErrorKind::kPreconditionFailed},
    {"ContainerAlreadyExists", ErrorKind::kAlreadyExists},
    {"ServerBusy", ErrorKind::kThrottled},
    {"OperationTimedOut", ErrorKind::kTransient},
    {"InternalError", ErrorKind::kTransient},
    {"ContainerBeingDeleted", ErrorKind::kTransient},
};

std::string describe_error(std::string_view code, std::string_view message, ErrorKind kind,
                           int http_status, std::string_view container) {
  if (code == "ContainerNotFound") return fmt::format("container {} does not exist", container);
  if (code == "BlobNotFound") return "the blob does not exist";
  if (code == "AuthenticationFailed") {
    // The service's details quote the request's signature: they stay out of the message.
    return "the credentials were rejected (wrong account key or SAS token, an expired token, "
           "or a clock far off)";
  }
  // A message that quotes a URL may quote its SAS signature too: better none than a leak.
  if (message.find("sig=") != std::string_view::npos) {
    return fmt::format("HTTP {} (the service's message quoted a signature and is not shown)",
                       http_status);
  }
  if (!message.empty()) return std::string(message);
  // HEAD answers have no body to explain themselves.
  switch (kind) {
    case ErrorKind::kAccessDenied:
      return "access denied: the credentials were rejected or may not do this";
    case ErrorKind::kPreconditionFailed:
      return "the ETag condition did not hold";
    case ErrorKind::kNotFound:
      return "not found";
    default:
      return fmt::format("HTTP {}", http_status);
  }
}

}  // namespace

ErrorKind kind_for_azure_error(std::string_view code, int http_status) {
  for (const CodeKind& entry : kCodeKinds) {
    if (entry.code == code) return entry.kind;
  }
  return http::error_kind_for_http_status(http_status);
}

Status status_from_response(const http::HttpResponse& response, std::string_view container) {
  std::string code(response.header("x-ms-error-code"));
  std::string message;
  const std::string_view body = trim(response.body);
  if (!body.empty()) {
    std::optional<AzureErrorBody> parsed = parse_error_body(body);
    if (!parsed && code.empty()) {
      return Status::error(ErrorKind::kTransient,
                           fmt::format("HTTP {}: the answer was not Azure XML", response.status))
          .with_http_status(response.status)
          .with_request_id(std::string(response.header("x-ms-request-id")));
    }
    if (parsed) {
      if (code.empty()) code = parsed->code;
      message = std::move(parsed->message);
    }
  }
  const ErrorKind kind = kind_for_azure_error(code, response.status);
  return Status::error(kind, describe_error(code, message, kind, response.status, container))
      .with_server_code(code)
      .with_http_status(response.status)
      .with_request_id(std::string(response.header("x-ms-request-id")));
}

}  // namespace autosync::backends::azure
