#include "backends/s3/s3_headers.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "backends/s3/s3_xml.h"
#include "core/base/time_format.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool metadata_name_ok(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string quoted_etag(std::string_view etag) {
  if (etag == "*") return std::string(etag);
  return fmt::format("\"{}\"", strip_etag_quotes(etag));
}

}  // namespace

ObjectInfo info_from_headers(std::string_view key, const http::HttpResponse& response) {
  ObjectInfo info;
  info.key = std::string(key);
  const auto total = content_range_total(response.header("content-range"));
  if (response.status == 206 && total) {
    info.size = *total;
  } else {
    info.size = parse_u64(response.header("content-length")).value_or(0);
  }
  info.etag = strip_etag_quotes(response.header("etag"));
  info.last_modified = parse_timestamp(response.header("last-modified")).value_or(SystemTime{});
  info.version_id = std::string(response.header("x-amz-version-id"));
  info.content_type = std::string(response.header("content-type"));
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with(kMetaPrefix)) info.metadata[name.substr(kMetaPrefix.size())] = value;
  }
  return info;
}

std::optional<uint64_t> content_range_total(std::string_view content_range) {
  const size_t slash = content_range.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return parse_u64(content_range.substr(slash + 1));
}

std::string range_header(const ByteRange& range) {
  const bool to_end = range.length == ByteRange::kToEnd ||
                      range.length > std::numeric_limits<uint64_t>::max() - range.offset;
  if (to_end) return fmt::format("bytes={}-", range.offset);
  return fmt::format("bytes={}-{}", range.offset, range.offset + range.length - 1);
}

void add_conditions(http::Headers& headers, const Conditions& conditions, std::string_view prefix) {
  if (!conditions.if_match.empty()) {
    headers.emplace_back(fmt::format("{}if-match", prefix), quoted_etag(conditions.if_match));
  }
  if (!conditions.if_none_match.empty()) {
    headers.emplace_back(fmt::format("{}if-none-match", prefix),
                         quoted_etag(conditions.if_none_match));
  }
}

void add_metadata(http::Headers& headers, const UserMetadata& metadata) {
  for (const auto& [name, value] : metadata) {
    headers.emplace_back(fmt::format("{}{}", kMetaPrefix, name), value);
  }
}

Status check_header_values(const UserMetadata& metadata, std::string_view content_type,
                           const Conditions& conditions) {
  for (const auto& [name, value] : metadata) {
    if (!metadata_name_ok(name)) {
      return invalid(fmt::format("metadata name '{}' is not lower-case [a-z0-9_-]", name));
    }
    if (!printable_ascii(value)) {
      return invalid(fmt::format("metadata '{}' has a value that is not printable ASCII", name));
    }
  }
  if (!printable_ascii(content_type)) return invalid("the content type is not printable ASCII");
  if (!printable_ascii(conditions.if_match) || !printable_ascii(conditions.if_none_match)) {
    return invalid("a condition's ETag is not printable ASCII");
  }
  return {};
}

}  // namespace autosync::backends::s3
