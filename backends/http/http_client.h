// HttpClient: HTTP/1.1 requests over libcurl for the cloud backends.
//
// Bodies stream from a ByteSource and to a ByteSink, so no transfer is buffered whole.
// Connections, DNS answers and TLS sessions are shared by every request of one client,
// across threads, so consecutive requests reuse a warm connection. Every request has a
// connect timeout and a stall timeout (no bytes for N seconds), so none can hang.
// A transport failure is a Status (kTransient, or kInvalid for a bad URL); an HTTP error
// status is not: callers read HttpResponse::status and map it with their own error format.
// Thread-safe. No header value is ever logged or put into an error message.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/byte_io.h"
#include "core/base/result.h"

namespace autosync::backends::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpOptions {
  std::string ca_bundle;  // PEM file; empty: the system's trust store
  bool verify_tls = true;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds stall_timeout{30};  // abort when no byte moves for this long
  std::string user_agent = "autosync/0.1";
};

// The HTTP settings every cloud backend's config carries under the same names.
template <typename BackendConfig>
HttpOptions http_options_of(const BackendConfig& config) {
  HttpOptions options;
  options.ca_bundle = config.ca_bundle;
  options.verify_tls = config.verify_tls;
  options.connect_timeout = config.connect_timeout;
  options.stall_timeout = config.stall_timeout;
  return options;
}

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // fully encoded
  Headers headers;
  const ByteSource* body = nullptr;  // PUT/POST body; Content-Length is its size
  ByteSink* sink = nullptr;          // receives a 2xx body; otherwise it lands in response.body
};

struct HttpResponse {
  int status = 0;
  Headers headers;   // names lower-cased, in arrival order
  std::string body;  // the body when there was no sink or the status was not 2xx
  uint64_t body_bytes = 0;

  // The first header with this (lower-case) name, or empty.
  std::string_view header(std::string_view name) const;
  bool success() const { return status >= 200 && status < 300; }
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> perform(const HttpRequest& request);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The URL without its query string: safe to show (a SAS token lives in the query).
std::string redact_url(std::string_view url);

// The ErrorKind an HTTP status means for a storage request.
ErrorKind error_kind_for_http_status(int status);

}  // namespace autosync::backends::http
