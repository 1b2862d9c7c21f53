// Text encodings used by the wire protocols: hex, base64, RFC 3986 percent-encoding.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace autosync {

std::string to_hex(std::span<const unsigned char> bytes);
inline std::string to_hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});  // NOLINT
}

std::string base64_encode(std::string_view bytes);
// Empty optional when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
// With `keep_slash`, '/' stays as is (for object keys in a URL path).
std::string uri_encode(std::string_view text, bool keep_slash);
// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' ' (form encoding).
std::string uri_decode(std::string_view text, bool plus_is_space);

std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text);

}  // namespace autosync
