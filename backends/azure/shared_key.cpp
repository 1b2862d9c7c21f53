#include "backends/azure/shared_key.h"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

// The standard headers in the order the string-to-sign lists them (Content-Length is
// handled apart: the HTTP client sets it from the body).
constexpr std::array<std::string_view, 8> kSignedHeadersAfterLength = {
    "content-md5",   "content-type",        "date", "if-modified-since", "if-match",
    "if-none-match", "if-unmodified-since", "range"};

std::string_view header_value(const http::Headers& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (to_lower(name) == lower_name) return trim(value);
  }
  return {};
}

struct UrlParts {
  std::string_view path;
  std::string_view query;
};

UrlParts split_url(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t host_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t query_start = url.find('?', host_start);
  const std::string_view before_query = url.substr(0, query_start);
  const size_t path_start = before_query.find('/', host_start);
  UrlParts parts;
  parts.path = path_start == std::string_view::npos ? std::string_view("/")
                                                    : before_query.substr(path_start);
  if (query_start != std::string_view::npos) parts.query = url.substr(query_start + 1);
  return parts;
}

std::map<std::string, std::vector<std::string>> decoded_query(std::string_view query) {
  std::map<std::string, std::vector<std::string>> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string name = to_lower(uri_decode(pair.substr(0, eq), false));
    const std::string value =
        eq == std::string_view::npos ? std::string() : uri_decode(pair.substr(eq + 1), false);
    params[name].push_back(value);
  }
  return params;
}

}  // namespace

std::string canonicalized_resource(std::string_view account, std::string_view url) {
  const UrlParts parts = split_url(url);
  std::string out = "/";
  out.append(account);
  out.append(parts.path);
  for (auto& [name, values] : decoded_query(parts.query)) {
    std::sort(values.begin(), values.end());
    out += '\n';
    out += name;
    out += ':';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += values[i];
    }
  }
  return out;
}

std::string canonicalized_headers(const http::Headers& headers) {
  std::map<std::string, std::string> ms_headers;  // sorted by lower-case name
  for (const auto& [name, value] : headers) {
    std::string lower = to_lower(trim(name));
    if (lower.starts_with("x-ms-")) ms_headers[std::move(lower)] = std::string(trim(value));
  }
  std::string out;
  for (const auto& [name, value] : ms_headers) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  return out;
}

std::string string_to_sign(std::string_view method, std::string_view url,
                           const http::Headers& headers, uint64_t content_length,
                           std::string_view account) {
  std::string out(method);
  out += '\n';
  out.append(header_value(headers, "content-encoding")) += '\n';
  out.append(header_value(headers, "content-language")) += '\n';
  // Since version 2015-02-21 a zero length is signed as an empty line.
  if (content_length > 0) out += std::to_string(content_length);
  out += '\n';
  for (std::string_view name : kSignedHeadersAfterLength) {
    out.append(header_value(headers, name)) += '\n';
  }
  out += canonicalized_headers(headers);
  out += canonicalized_resource(account, url);
  return out;
}

std::string shared_key_signature(std::string_view decoded_key, std::string_view string_to_sign) {
  return base64_encode(hmac_sha256(decoded_key, string_to_sign));
}

std::string shared_key_authorization(std::string_view account, std::string_view decoded_key,
                                     std::string_view string_to_sign) {
  std::string out = "SharedKey ";
  out.append(account);
  out += ':';
  out += shared_key_signature(decoded_key, string_to_sign);
  return out;
}

}  // namespace autosync::backends::azure
