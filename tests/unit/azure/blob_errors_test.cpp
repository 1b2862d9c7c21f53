// Mapping error answers to Status: kind, message, and the details a ticket needs.
#include "backends/azure/blob_errors.h"

#include <catch2/catch.hpp>

namespace autosync::backends::azure {
namespace {

http::HttpResponse answer(int status, std::string code, std::string body) {
  http::HttpResponse response;
  response.status = status;
  if (!code.empty()) response.headers.emplace_back("x-ms-error-code", std::move(code));
  response.headers.emplace_back("x-ms-request-id", "req-123");
  response.body = std::move(body);
  return response;
}

std::string error_xml(std::string_view code, std::string_view message) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + std::string(code) +
         "</Code><Message>" + std::string(message) +
         "\nRequestId:req-123\nTime:now</Message></Error>";
}

TEST_CASE("error codes map to the kinds callers branch on") {
  CHECK(kind_for_azure_error("BlobNotFound", 404) == ErrorKind::kNotFound);
  CHECK(kind_for_azure_error("ContainerNotFound", 404) == ErrorKind::kNotFound);
  CHECK(kind_for_azure_error("AuthenticationFailed", 403) == ErrorKind::kAccessDenied);
  CHECK(kind_for_azure_error("ConditionNotMet", 412) == ErrorKind::kPreconditionFailed);
  CHECK(kind_for_azure_error("BlobAlreadyExists", 409) == ErrorKind::kPreconditionFailed);
  CHECK(kind_for_azure_error("ServerBusy", 503) == ErrorKind::kThrottled);
  CHECK(kind_for_azure_error("OperationTimedOut", 500) == ErrorKind::kTransient);
  CHECK(kind_for_azure_error("InvalidBlockList", 400) == ErrorKind::kInvalid);
  CHECK(kind_for_azure_error("", 503) == ErrorKind::kThrottled);
  CHECK(kind_for_azure_error("SomethingNew", 502) == ErrorKind::kTransient);
}

TEST_CASE("a missing blob answer carries code, HTTP status and request id") {
  const Status status = status_from_response(
      answer(404, "", error_xml("BlobNotFound", "The specified blob does not exist.")), "photos");
  CHECK(status.is(ErrorKind::kNotFound));
  CHECK(status.server_code() == "BlobNotFound");
  CHECK(status.http_status() == 404);
  CHECK(status.request_id() == "req-123");
  CHECK(status.message() == "the blob does not exist");
}

TEST_CASE("a missing container is named") {
  // HEAD answers have no body: the code comes from the x-ms-error-code header.
  const Status status = status_from_response(answer(404, "ContainerNotFound", ""), "photos");
  CHECK(status.is(ErrorKind::kNotFound));
  CHECK(status.message() == "container photos does not exist");
}

TEST_CASE("rejected credentials say so without quoting the service's signature details") {
  const Status status = status_from_response(
      answer(403, "",
             "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed"
             "</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request "
             "'c2VjcmV0c2ln' is not the same</AuthenticationErrorDetail></Error>"),
      "photos");
  CHECK(status.is(ErrorKind::kAccessDenied));
  CHECK(status.message().find("credentials were rejected") != std::string::npos);
  CHECK(status.to_string().find("c2VjcmV0c2ln") == std::string::npos);
}

TEST_CASE("a service message quoting a SAS signature is not passed on") {
  const Status status = status_from_response(
      answer(404, "",
             error_xml("CannotVerifyCopySource",
                       "Source https://a.blob.core.windows.net/c/k?sv=1&sig=c2VjcmV0 gone")),
      "photos");
  CHECK(status.is(ErrorKind::kNotFound));
  CHECK(status.to_string().find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("other errors keep the service's message, unparseable answers are transient") {
  const Status busy = status_from_response(
      answer(503, "", error_xml("ServerBusy", "The server is busy.")), "photos");
  CHECK(busy.is(ErrorKind::kThrottled));
  CHECK(busy.message() == "The server is busy.");

  const Status html = status_from_response(answer(502, "", "<html>Bad Gateway</html>"), "photos");
  CHECK(html.is(ErrorKind::kTransient));
  CHECK(html.message().find("not Azure XML") != std::string::npos);
  CHECK(html.http_status() == 502);

  const Status bare = status_from_response(answer(404, "", ""), "photos");
  CHECK(bare.is(ErrorKind::kNotFound));
  CHECK(bare.message() == "not found");
  CHECK(bare.to_string().find("HTTP 404") != std::string::npos);
  CHECK(status_from_response(answer(403, "AuthorizationFailure", ""), "photos")
            .message()
            .find("access denied") != std::string::npos);
  CHECK(status_from_response(answer(500, "", ""), "photos").message() == "HTTP 500");
}

}  // namespace
}  // namespace autosync::backends::azure
