// Request URLs for one bucket: path-style (https://host/bucket/key) or virtual-hosted
// (https://bucket.host/key), with the canonical URI and query string that SigV4 signs.
//
// Keys are encoded byte by byte per RFC 3986 (everything but A-Z a-z 0-9 - . _ ~ and '/'),
// exactly once, so the path sent and the path signed are the same string and any key
// (spaces, '+', '%', '#', '?', unicode) reaches the server unchanged.
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/s3/endpoint.h"
#include "backends/s3/s3_config.h"

namespace autosync::backends::s3 {

// Query parameters, unencoded: {"list-type", "2"}, {"uploads", ""}.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// name=value pairs encoded and sorted by name then value, joined with '&'; a parameter with
// an empty value keeps its '=' ("uploads="), as SigV4 requires.
std::string canonical_query_string(const QueryParams& params);

struct RequestTarget {
  std::string url;              // scheme://host/path[?query], ready for the HTTP client
  std::string host;             // the Host header
  std::string canonical_uri;    // the encoded path
  std::string canonical_query;  // the encoded query
};

// How x-amz-copy-source is encoded. S3 decodes it fully; some test servers (s3rver) use
// JavaScript's decodeURI, which leaves escapes of reserved characters (%2B, %3F, ...) as they
// are, so for them those characters must go raw.
enum class CopySourceEncoding { kFull, kKeepReserved };

class UrlBuilder {
 public:
  // `addressing` must be resolved (kPath or kVirtualHosted).
  UrlBuilder(Endpoint endpoint, std::string bucket, Addressing addressing);

  // The target for an object (or, with an empty key, the bucket itself).
  RequestTarget target(std::string_view key, const QueryParams& query) const;
  // "/bucket/key" for x-amz-copy-source.
  std::string copy_source(std::string_view key, CopySourceEncoding encoding) const;

  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& bucket() const { return bucket_; }

 private:
  Endpoint endpoint_;
  std::string bucket_;
  Addressing addressing_;
};

}  // namespace autosync::backends::s3
