#include "backends/azure/blob_url.h"

#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

bool only_dots(std::string_view segment) {
  return !segment.empty() && segment.find_first_not_of('.') == std::string_view::npos;
}

}  // namespace

std::string container_path(std::string_view container) {
  std::string out = "/";
  out += uri_encode(container, false);
  return out;
}

std::string blob_path(std::string_view container, std::string_view key) {
  std::string out = container_path(container);
  size_t start = 0;
  for (;;) {
    const size_t slash = key.find('/', start);
    const std::string_view segment = key.substr(start, slash - start);
    out += '/';
    if (only_dots(segment)) {
      for (size_t i = 0; i < segment.size(); ++i)
        out += "%2E";
    } else {
      out += uri_encode(segment, false);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string encode_query(const QueryParams& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += uri_encode(name, false);
    out += '=';
    out += uri_encode(value, false);
  }
  return out;
}

std::string build_url(std::string_view endpoint, std::string_view path, const QueryParams& query,
                      std::string_view sas_token) {
  std::string url(endpoint);
  url += path;
  const std::string encoded = encode_query(query);
  char separator = '?';
  if (!encoded.empty()) {
    url += separator;
    url += encoded;
    separator = '&';
  }
  if (!sas_token.empty()) {
    url += separator;
    url += sas_token;
  }
  return url;
}

}  // namespace autosync::backends::azure
