// BlobTransport: sends one authorized request to the Blob service.
//
// It builds the URL (endpoint + path + query + SAS token), adds x-ms-version and x-ms-date,
// and signs with Shared Key when the config has an account key (else the SAS token in the
// URL authorizes). HTTP error statuses come back as responses; only transport failures are
// errors here.
// Thread-safe: its state is immutable after construction and HttpClient is thread-safe.
// Owns its HttpClient; holds the decoded account key and SAS token and never shows them.
#pragma once

#include <string>
#include <string_view>

#include "backends/azure/azure_config.h"
#include "backends/azure/blob_url.h"
#include "backends/http/http_client.h"

namespace autosync::backends::azure {

// The REST API version every request asks for: 2019-12-12 or later allows blocks up to
// 4000 MiB and Put Blob up to 5000 MiB; Azurite 3.35 accepts it.
inline constexpr std::string_view kApiVersion = "2021-12-02";

struct BlobRequest {
  std::string method = "GET";
  std::string path;  // encoded, below the endpoint: container_path() or blob_path()
  QueryParams query;
  http::Headers headers;
  const ByteSource* body = nullptr;  // its size is sent as Content-Length
  ByteSink* sink = nullptr;          // receives a 2xx body
};

class BlobTransport {
 public:
  // `config` must have been through resolve().
  explicit BlobTransport(const AzureConfig& config);

  Result<http::HttpResponse> send(const BlobRequest& request);

  // The full URL of `path`, with the SAS token when there is one: for headers that name
  // another blob (x-ms-copy-source), which the service fetches with that URL's authority.
  std::string url_with_auth(std::string_view path) const;

  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string endpoint_;
  std::string account_;
  std::string decoded_key_;  // empty: SAS token authorization
  std::string sas_token_;
  http::HttpClient http_;
};

}  // namespace autosync::backends::azure
