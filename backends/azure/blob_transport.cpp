#include "backends/azure/blob_transport.h"

#include <chrono>

#include "backends/azure/shared_key.h"
#include "core/base/encoding.h"
#include "core/base/time_format.h"

namespace autosync::backends::azure {
BlobTransport::BlobTransport(const AzureConfig& config)
    : endpoint_(config.endpoint),
      account_(config.account),
      // resolve() has checked the key decodes; a key is preferred over a SAS token because it
      // can do everything a token might not be allowed to.
      decoded_key_(base64_decode(config.account_key).value_or(std::string())),
      sas_token_(decoded_key_.empty() ? config.sas_token : std::string()),
      http_(http::http_options_of(config)) {}

Result<http::HttpResponse> BlobTransport::send(const BlobRequest& request) {
  http::HttpRequest http_request;
  http_request.method = request.method;
  http_request.url = build_url(endpoint_, request.path, request.query, sas_token_);
  http_request.headers = request.headers;
  http_request.headers.emplace_back("x-ms-version", std::string(kApiVersion));
  http_request.headers.emplace_back("x-ms-date",
                                    format_http_date(std::chrono::system_clock::now()));
  http_request.body = request.body;
  http_request.sink = request.sink;
  if (!decoded_key_.empty()) {
    const uint64_t length = request.body != nullptr ? request.body->size() : 0;
    const std::string to_sign =
        string_to_sign(request.method, http_request.url, http_request.headers, length, account_);
    http_request.headers.emplace_back("Authorization",
                                      shared_key_authorization(account_, decoded_key_, to_sign));
  }
  return http_.perform(http_request);
}

std::string BlobTransport::url_with_auth(std::string_view path) const {
  return build_url(endpoint_, path, {}, sas_token_);
}

}  // namespace autosync::backends::azure
