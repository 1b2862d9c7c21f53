#include "backends/azure/blob_headers.h"

#include <fmt/format.h>

#include <charconv>

#include "backends/azure/blob_xml.h"

namespace autosync::backends::azure {
namespace {

constexpr std::string_view kMetaPrefix = "x-ms-meta-";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint64_t> to_u64(std::string_view text) {
  uint64_t value = 0;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string quoted_etag(std::string_view etag) {
  if (etag == "*" || (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')) {
    return std::string(etag);
  }
  return fmt::format("\"{}\"", etag);
}

}  // namespace

std::string encode_metadata_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool literal_escape = c == '_' && i + 1 < name.size() && name[i + 1] == 'x';
    if (c == '-' || (i == 0 && is_digit(c)) || literal_escape) {
      out += fmt::format("_x{:02x}_", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

std::string decode_metadata_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '_' && i + 4 < name.size() && name[i + 1] == 'x' && name[i + 4] == '_') {
      const int hi = hex_digit(name[i + 2]);
      const int lo = hex_digit(name[i + 3]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 4;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

void add_metadata_headers(http::Headers& headers, const UserMetadata& metadata) {
  for (const auto& [name, value] : metadata) {
    headers.emplace_back(std::string(kMetaPrefix) + encode_metadata_name(name), value);
  }
}

void add_condition_headers(http::Headers& headers, const Conditions& conditions,
                           std::string_view prefix) {
  if (!conditions.if_match.empty()) {
    headers.emplace_back(fmt::format("{}If-Match", prefix), quoted_etag(conditions.if_match));
  }
  if (!conditions.if_none_match.empty()) {
    headers.emplace_back(fmt::format("{}If-None-Match", prefix),
                         quoted_etag(conditions.if_none_match));
  }
}

std::string range_header_value(const ByteRange& range) {
  if (range.length == ByteRange::kToEnd || range.length > ByteRange::kToEnd - range.offset) {
    return fmt::format("bytes={}-", range.offset);
  }
  return fmt::format("bytes={}-{}", range.offset, range.offset + range.length - 1);
}

std::optional<uint64_t> content_range_total(std::string_view content_range) {
  const size_t slash = content_range.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return to_u64(content_range.substr(slash + 1));
}

ObjectInfo object_info_from_headers(std::string_view key, const http::HttpResponse& response) {
  ObjectInfo info;
  info.key = std::string(key);
  const auto total = content_range_total(response.header("content-range"));
  info.size = total ? *total : to_u64(response.header("content-length")).value_or(0);
  info.etag = strip_etag_quotes(response.header("etag"));
  info.content_type = std::string(response.header("content-type"));
  info.version_id = std::string(response.header("x-ms-version-id"));
  if (auto when = parse_timestamp(response.header("last-modified"))) info.last_modified = *when;
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with(kMetaPrefix)) {
      info.metadata[decode_metadata_name(name.substr(kMetaPrefix.size()))] = value;
    }
  }
  return info;
}

}  // namespace autosync::backends::azure
