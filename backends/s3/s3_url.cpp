#include "backends/s3/s3_url.h"

#include <algorithm>

#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

// RFC 3986 reserved characters that JavaScript's decodeURI leaves encoded.
constexpr std::string_view kReservedKeptByDecodeUri = ";,/?:@&=+$#";

}  // namespace

std::string canonical_query_string(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) {
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

UrlBuilder::UrlBuilder(Endpoint endpoint, std::string bucket, Addressing addressing)
    : endpoint_(std::move(endpoint)), bucket_(std::move(bucket)), addressing_(addressing) {}

RequestTarget UrlBuilder::target(std::string_view key, const QueryParams& query) const {
  RequestTarget t;
  const std::string encoded_key = uri_encode(key, true);
  if (addressing_ == Addressing::kVirtualHosted) {
    t.host = bucket_ + "." + endpoint_.authority();
    t.canonical_uri = "/" + encoded_key;
  } else {
    t.host = endpoint_.authority();
    t.canonical_uri = key.empty() ? "/" + bucket_ : "/" + bucket_ + "/" + encoded_key;
  }
  t.canonical_query = canonical_query_string(query);
  t.url = endpoint_.scheme + "://" + t.host + t.canonical_uri;
  if (!t.canonical_query.empty()) t.url += "?" + t.canonical_query;
  return t;
}

std::string UrlBuilder::copy_source(std::string_view key, CopySourceEncoding encoding) const {
  std::string out = "/" + bucket_ + "/";
  if (encoding == CopySourceEncoding::kFull) return out + uri_encode(key, true);
  for (char c : key) {
    if (kReservedKeptByDecodeUri.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += uri_encode(std::string_view(&c, 1), true);
    }
  }
  return out;
}

}  // namespace autosync::backends::s3
