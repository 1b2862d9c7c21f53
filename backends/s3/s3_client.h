// S3Client: builds, signs (SigV4) and sends one S3 REST request for one bucket.
//
// It knows URLs, headers and signing; it does not interpret answers beyond transport
// failures (S3Store does that, with s3_errors.h). Bodies stream: a request body is read once
// to hash it (x-amz-content-sha256, unless the config's PayloadSigning says UNSIGNED-PAYLOAD)
// and once more by curl to send it; a response body goes straight into the caller's sink.
// Thread-safe: one client serves every thread of a store; the HttpClient inside shares
// warm connections between them. Credentials are fetched from the provider per request.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "backends/byte_io.h"
#include "backends/http/http_client.h"
#include "backends/s3/s3_config.h"
#include "backends/s3/s3_url.h"
#include "core/base/result.h"

namespace autosync::backends::s3 {

struct S3Request {
  std::string method = "GET";
  std::string_view key{};  // empty: the bucket itself
  QueryParams query{};
  http::Headers headers{};           // operation headers (range, x-amz-meta-*, ...)
  const ByteSource* body = nullptr;  // PUT/POST body
  std::string payload_sha256{};      // hex; empty: computed from `body`
  ByteSink* sink = nullptr;          // receives a 2xx body
};

class S3Client {
 public:
  // `config` must be resolved (s3_config.h); `endpoint` is its endpoint, parsed.
  S3Client(const S3Config& config, Endpoint endpoint,
           std::shared_ptr<CredentialProvider> credentials);

  // Sends the request; an HTTP error status is a normal response, not an error Status.
  Result<http::HttpResponse> send(const S3Request& request);

  const UrlBuilder& urls() const { return urls_; }

 private:
  Result<http::Headers> signed_headers(const S3Request& request, const RequestTarget& target);

  const std::string region_;
  const bool sign_payload_;  // hash bodies into the signature (PayloadSigning)
  UrlBuilder urls_;
  std::shared_ptr<CredentialProvider> credentials_;
  http::HttpClient http_;
};

}  // namespace autosync::backends::s3
