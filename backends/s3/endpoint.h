// Endpoint: the scheme, host and port of an S3 server, parsed from "https://host[:port]".
//
// Also the naming rules that decide addressing: whether a host is an IP address, whether a
// bucket name can be a DNS label (virtual-hosted style needs that).
// Value type and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::backends::s3 {

struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case; an IPv6 literal keeps its brackets
  std::string port;    // empty: the scheme's default port

  // host[:port], as the Host header and URLs carry it.
  std::string authority() const { return port.empty() ? host : host + ":" + port; }
  // scheme://host[:port]
  std::string url() const { return scheme + "://" + authority(); }
};

// Accepts http(s)://host[:port] with an optional trailing '/'; a default port is dropped.
// kInvalid naming the endpoint when it has another form (a path, a query, credentials...).
Result<Endpoint> parse_endpoint(std::string_view text);

// An IPv4 dotted quad or a bracketed IPv6 literal.
bool is_ip_address(std::string_view host);

// S3's naming rules loosely (3-255 characters of letters, digits, '.', '-', '_'): what any
// S3-compatible store might accept. Returns an explanation when the name is not acceptable.
std::string bucket_name_problem(std::string_view bucket);

// Whether `bucket` can be the first label of a virtual-hosted host name: lower-case letters,
// digits, '-' and '.', 3-63 characters, no "..", not shaped like an IP address. With TLS a
// dotted name would not match the server's wildcard certificate, so `tls` excludes dots.
bool is_virtual_host_compatible(std::string_view bucket, bool tls);

}  // namespace autosync::backends::s3
