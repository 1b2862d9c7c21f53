// Error answers to Status: S3 codes over HTTP statuses, request ids, messages that say what
// happened, and answers that are not S3 at all.
#include <catch2/catch.hpp>

#include "backends/s3/s3_errors.h"

namespace autosync::backends::s3 {
namespace {

http::HttpResponse answer(int status, std::string body, http::Headers headers = {}) {
  http::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

std::string error_xml(std::string_view code, std::string_view message = "msg") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(code) +
         "</Code><Message>" + std::string(message) + "</Message><RequestId>RID</RequestId></Error>";
}

}  // namespace

TEST_CASE("s3 error codes decide the kind", "[s3errors]") {
  struct Case {
    int status;
    std::string_view code;
    ErrorKind kind;
  };
  const std::vector<Case> cases{
      {404, "NoSuchKey", ErrorKind::kNotFound},
      {404, "NoSuchBucket", ErrorKind::kNotFound},
      {404, "NoSuchUpload", ErrorKind::kNotFound},
      {403, "AccessDenied", ErrorKind::kAccessDenied},
      {403, "InvalidAccessKeyId", ErrorKind::kAccessDenied},
      {403, "SignatureDoesNotMatch", ErrorKind::kAccessDenied},
      {400, "ExpiredToken", ErrorKind::kAccessDenied},
      {503, "SlowDown", ErrorKind::kThrottled},
      {412, "PreconditionFailed", ErrorKind::kPreconditionFailed},
      {400, "RequestTimeout", ErrorKind::kTransient},
      {500, "InternalError", ErrorKind::kTransient},
      {501, "NotImplemented", ErrorKind::kUnsupported},
      {400, "InvalidArgument", ErrorKind::kInvalid},     // by HTTP status
      {409, "OperationAborted", ErrorKind::kTransient},  // by HTTP status
      {400, "EntityTooSmall", ErrorKind::kInvalid},      // by HTTP status
  };
  for (const Case& c : cases) {
    const Status status = status_from_response(answer(c.status, error_xml(c.code)), "b");
    INFO(c.code);
    CHECK(status.kind() == c.kind);
    CHECK(status.server_code() == c.code);
    CHECK(status.http_status() == c.status);
    CHECK(status.request_id() == "RID");
  }
}

TEST_CASE("s3 errors say what went wrong", "[s3errors]") {
  const Status bucket = status_from_response(
      answer(404,
             "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist"
             "</Message><BucketName>photos</BucketName></Error>"),
      "ignored");
  CHECK_THAT(bucket.message(), Catch::StartsWith("bucket photos does not exist"));
  // Without a BucketName element the store's own bucket is named.
  CHECK_THAT(status_from_response(answer(404, error_xml("NoSuchBucket")), "mine").message(),
             Catch::StartsWith("bucket mine does not exist"));
  for (std::string_view code : {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}) {
    INFO(code);
    CHECK_THAT(status_from_response(answer(403, error_xml(code)), "b").message(),
               Catch::Contains("credentials were rejected"));
  }
  const Status with_context =
      status_from_response(answer(404, error_xml("NoSuchKey")), "b").context("get docs/a.txt");
  CHECK(with_context.message() == "get docs/a.txt: no such key (msg)");
}

TEST_CASE("s3 errors take the request id from the header when the body has none", "[s3errors]") {
  const Status status = status_from_response(
      answer(403, "<Error><Code>AccessDenied</Code><Message>m</Message></Error>",
             {{"x-amz-request-id", "HDRID"}}),
      "b");
  CHECK(status.request_id() == "HDRID");
}

TEST_CASE("answers without a body map by status or by x-amz-error-code", "[s3errors]") {
  const Status head_missing = status_from_response(answer(404, ""), "b");
  CHECK(head_missing.kind() == ErrorKind::kNotFound);
  CHECK(head_missing.http_status() == 404);
  CHECK(status_from_response(answer(403, ""), "b").kind() == ErrorKind::kAccessDenied);
  CHECK_THAT(status_from_response(answer(403, ""), "b").message(),
             Catch::Contains("credentials were rejected"));
  CHECK(status_from_response(answer(412, ""), "b").kind() == ErrorKind::kPreconditionFailed);
  CHECK(status_from_response(answer(304, ""), "b").kind() == ErrorKind::kPreconditionFailed);
  CHECK(status_from_response(answer(503, ""), "b").kind() == ErrorKind::kThrottled);
  CHECK(status_from_response(answer(500, ""), "b").kind() == ErrorKind::kTransient);
  const Status named =
      status_from_response(answer(404, "", {{"x-amz-error-code", "NoSuchBucket"}}), "photos");
  CHECK(named.server_code() == "NoSuchBucket");
  CHECK_THAT(named.message(), Catch::StartsWith("bucket photos does not exist"));
}

TEST_CASE("answers that are not S3 XML are transient", "[s3errors]") {
  for (int http_status : {403, 404, 502, 500}) {
    const Status status = status_from_response(
        answer(http_status, "<html><head><title>Gateway</title></head></html>"), "b");
    INFO(http_status);
    CHECK(status.kind() == ErrorKind::kTransient);
    CHECK(status.http_status() == http_status);
    CHECK_THAT(status.message(), Catch::Contains("not S3 XML"));
  }
}

}  // namespace autosync::backends::s3
