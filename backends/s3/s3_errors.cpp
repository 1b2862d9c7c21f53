#include "backends/s3/s3_errors.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace autosync::backends::s3 {
namespace {

struct CodeRule {
  std::string_view code;
  ErrorKind kind;
  std::string_view explanation;  // what the code means for the user
};

// S3 codes whose meaning is sharper than their HTTP status.
constexpr std::array kRules{
    CodeRule{"NoSuchKey", ErrorKind::kNotFound, "no such key"},
    CodeRule{"NoSuchUpload", ErrorKind::kNotFound,
             "no such multipart upload (completed or aborted already)"},
    CodeRule{"AccessDenied", ErrorKind::kAccessDenied,
             "access denied: the credentials were rejected or do not allow this request"},
    CodeRule{"InvalidAccessKeyId", ErrorKind::kAccessDenied,
             "access denied: the credentials were rejected (unknown access key id)"},
    CodeRule{"SignatureDoesNotMatch", ErrorKind::kAccessDenied,
             "access denied: the credentials were rejected (the secret key does not match)"},
    CodeRule{"InvalidToken", ErrorKind::kAccessDenied,
             "access denied: the credentials were rejected (invalid session token)"},
    CodeRule{"ExpiredToken", ErrorKind::kAccessDenied,
             "access denied: the credentials were rejected (the session token expired)"},
    CodeRule{"RequestTimeTooSkewed", ErrorKind::kAccessDenied,
             "the server rejected the request time: check this machine's clock"},
    CodeRule{"SlowDown", ErrorKind::kThrottled, "the server asked to slow down"},
    CodeRule{"PreconditionFailed", ErrorKind::kPreconditionFailed,
             "precondition failed: the object's ETag is not the expected one"},
    CodeRule{"RequestTimeout", ErrorKind::kTransient, "the server timed out reading the request"},
    CodeRule{"InternalError", ErrorKind::kTransient, "the server had an internal error"},
    CodeRule{"ServiceUnavailable", ErrorKind::kThrottled, "the service is unavailable"},
    CodeRule{"NotImplemented", ErrorKind::kUnsupported, "the server does not implement this"},
    CodeRule{"MethodNotAllowed", ErrorKind::kUnsupported, "the server does not allow this here"},
};

const CodeRule* rule_for(std::string_view code) {
  for (const CodeRule& rule : kRules) {
    if (rule.code == code) return &rule;
  }
  return nullptr;
}

// What an answer without any error document means, by HTTP status alone (HEAD answers have no
// body to explain themselves).
std::string status_only_message(int http_status) {
  switch (http_status) {
    case 304:
      return "not modified: the If-None-Match condition did not hold";
    case 403:
      return "access denied: the credentials were rejected or do not allow this request";
    case 404:
      return "not found";
    case 412:
      return "precondition failed: the object's ETag is not the expected one";
    default:
      return fmt::format("the server answered HTTP {}", http_status);
  }
}

Status with_details(Status status, int http_status, std::string code, std::string request_id) {
  return std::move(status)
      .with_http_status(http_status)
      .with_server_code(std::move(code))
      .with_request_id(std::move(request_id));
}

}  // namespace

Status status_from_error(int http_status, const ErrorBody& error, std::string_view request_id,
                         std::string_view bucket) {
  const std::string id = error.request_id.empty() ? std::string(request_id) : error.request_id;
  if (error.code == "NoSuchBucket") {
    const std::string_view name = error.bucket_name.empty() ? bucket : error.bucket_name;
    return with_details(not_found(fmt::format("bucket {} does not exist", name)), http_status,
                        error.code, id);
  }
  const CodeRule* rule = rule_for(error.code);
  ErrorKind kind = rule != nullptr ? rule->kind : http::error_kind_for_http_status(http_status);
  // A 200 that carries an error (copy, complete) failed mid-way: S3 says retry.
  if (rule == nullptr && http_status >= 200 && http_status < 300) kind = ErrorKind::kTransient;
  std::string message = rule != nullptr ? std::string(rule->explanation) : error.code;
  if (!error.message.empty()) message += fmt::format(" ({})", error.message);
  return with_details(Status::error(kind, std::move(message)), http_status, error.code, id);
}

Status status_from_response(const http::HttpResponse& response, std::string_view bucket) {
  const std::string request_id(response.header("x-amz-request-id"));
  if (auto error = parse_error(response.body)) {
    return status_from_error(response.status, *error, request_id, bucket);
  }
  if (!response.body.empty()) {
    return with_details(transient(fmt::format("the server answered HTTP {} and the answer was "
                                              "not S3 XML: a proxy or a crashed server?",
                                              response.status)),
                        response.status, "", request_id);
  }
  // No body (HEAD, or a terse server): some servers still name the error in a header.
  if (const std::string_view code = response.header("x-amz-error-code"); !code.empty()) {
    ErrorBody error{
        std::string(code), std::string(response.header("x-amz-error-message")), {}, {}, {}};
    return status_from_error(response.status, error, request_id, bucket);
  }
  const ErrorKind kind = http::error_kind_for_http_status(response.status);
  return with_details(Status::error(kind, status_only_message(response.status)), response.status,
                      "", request_id);
}

Status embedded_error(const http::HttpResponse& response, std::string_view bucket) {
  if (auto error = parse_error(response.body)) {
    return status_from_error(response.status, *error,
                             std::string(response.header("x-amz-request-id")), bucket);
  }
  return {};
}

}  // namespace autosync::backends::s3
