#include "backends/s3/s3_client.h"

#include <fmt/format.h>

#include <chrono>

#include "backends/s3/sigv4.h"
#include "core/base/time_format.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

bool signs_payload(PayloadSigning mode, const Endpoint& endpoint) {
  switch (mode) {
    case PayloadSigning::kSigned:
      return true;
    case PayloadSigning::kUnsigned:
      return false;
    case PayloadSigning::kAuto:
      break;
  }
  return endpoint.scheme != "https";
}

}  // namespace

S3Client::S3Client(const S3Config& config, Endpoint endpoint,
                   std::shared_ptr<CredentialProvider> credentials)
    : region_(config.region),
      sign_payload_(signs_payload(config.payload_signing, endpoint)),
      urls_(std::move(endpoint), config.bucket, config.addressing),
      credentials_(std::move(credentials)),
      http_(http::http_options_of(config)) {}

Result<http::Headers> S3Client::signed_headers(const S3Request& request,
                                               const RequestTarget& target) {
  std::string payload_hash = request.payload_sha256;
  if (payload_hash.empty()) {
    if (request.body != nullptr && !sign_payload_) {
      payload_hash = kUnsignedPayload;
    } else if (request.body != nullptr) {
      AUTOSYNC_ASSIGN_OR_RETURN(payload_hash, sigv4::payload_sha256(*request.body));
    } else {
      payload_hash = sigv4::kEmptyPayloadSha256;
    }
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const Credentials creds, credentials_->credentials());
  const std::string amz_date = format_iso8601_basic(std::chrono::system_clock::now());

  http::Headers headers = request.headers;
  headers.emplace_back("host", target.host);
  headers.emplace_back("x-amz-date", amz_date);
  headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (!creds.session_token.empty())
    headers.emplace_back("x-amz-security-token", creds.session_token);

  const std::string_view date = std::string_view(amz_date).substr(0, 8);
  const sigv4::Scope scope{date, region_, "s3"};
  const sigv4::Request to_sign{request.method, target.canonical_uri, target.canonical_query,
                               &headers, payload_hash};
  std::string authorization =
      sigv4::authorization(creds.access_key_id, creds.secret_access_key, amz_date, scope, to_sign);
  headers.emplace_back("authorization", std::move(authorization));
  return headers;
}

Result<http::HttpResponse> S3Client::send(const S3Request& request) {
  const RequestTarget target = urls_.target(request.key, request.query);
  http::HttpRequest http_request;
  http_request.method = request.method;
  http_request.url = target.url;
  AUTOSYNC_ASSIGN_OR_RETURN(http_request.headers, signed_headers(request, target));
  http_request.body = request.body;
  http_request.sink = request.sink;
  return http_.perform(http_request);
}

}  // namespace autosync::backends::s3
