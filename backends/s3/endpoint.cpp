#include "backends/s3/endpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

Status malformed(std::string_view text, std::string_view why) {
  return invalid(
      fmt::format("endpoint '{}' is malformed ({}); expected http(s)://host[:port]", text, why));
}

// Splits "host[:port]" (host may be "[v6]") into its parts; false when it is not that shape.
bool split_authority(std::string_view authority, std::string& host, std::string& port) {
  size_t host_end = 0;
  if (authority.starts_with('[')) {
    host_end = authority.find(']');
    if (host_end == std::string_view::npos) return false;
    ++host_end;
  } else {
    host_end = std::min(authority.find(':'), authority.size());
  }
  host = to_lower(authority.substr(0, host_end));
  const std::string_view rest = authority.substr(host_end);
  if (rest.empty()) return true;
  if (!rest.starts_with(':')) return false;
  port = std::string(rest.substr(1));
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.starts_with('[')) return host.size() > 2;  // IPv6 literal: curl will judge it
  return std::all_of(host.begin(), host.end(), is_host_char) && host.front() != '.' &&
         host.front() != '-';
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const size_t sep = trimmed.find("://");
  if (sep == std::string_view::npos) return malformed(text, "no scheme");
  Endpoint endpoint;
  endpoint.scheme = to_lower(trimmed.substr(0, sep));
  if (endpoint.scheme != "http" && endpoint.scheme != "https") {
    return malformed(text, "the scheme must be http or https");
  }
  std::string_view authority = trimmed.substr(sep + 3);
  if (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    return malformed(text, "it has a path or query; the bucket is configured separately");
  }
  if (authority.find('@') != std::string_view::npos) {
    return malformed(text, "it has user information; credentials are configured separately");
  }
  if (!split_authority(authority, endpoint.host, endpoint.port) || !valid_host(endpoint.host)) {
    return malformed(text, "bad host");
  }
  if (!endpoint.port.empty()) {
    if (!all_digits(endpoint.port) || endpoint.port.size() > 5 || std::stoi(endpoint.port) == 0 ||
        std::stoi(endpoint.port) > 65535) {
      return malformed(text, "bad port");
    }
    const bool default_port = (endpoint.scheme == "http" && endpoint.port == "80") ||
                              (endpoint.scheme == "https" && endpoint.port == "443");
    if (default_port) endpoint.port.clear();
  }
  return endpoint;
}

bool is_ip_address(std::string_view host) {
  if (host.starts_with('[')) return true;
  int parts = 0;
  size_t start = 0;
  while (start <= host.size()) {
    const size_t dot = std::min(host.find('.', start), host.size());
    const std::string_view part = host.substr(start, dot - start);
    if (!all_digits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

std::string bucket_name_problem(std::string_view bucket) {
  if (bucket.empty()) return "no bucket name given";
  if (bucket.size() < 3 || bucket.size() > 255) return "it must be 3 to 255 characters long";
  if (!std::all_of(bucket.begin(), bucket.end(), is_host_char)) {
    return "only letters, digits, '.', '-' and '_' are allowed (give the bare name, not a URL)";
  }
  if (std::isalnum(static_cast<unsigned char>(bucket.front())) == 0 ||
      std::isalnum(static_cast<unsigned char>(bucket.back())) == 0) {
    return "it must start and end with a letter or digit";
  }
  return {};
}

bool is_virtual_host_compatible(std::string_view bucket, bool tls) {
  if (bucket.size() < 3 || bucket.size() > 63 || !bucket_name_problem(bucket).empty()) {
    return false;
  }
  const bool dns_chars = std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
  if (!dns_chars || bucket.find("..") != std::string_view::npos || is_ip_address(bucket)) {
    return false;
  }
  return !(tls && bucket.find('.') != std::string_view::npos);
}

}  // namespace autosync::backends::s3
