// Metadata names, conditions, ranges and object properties in Blob service headers.
#include "backends/azure/blob_headers.h"

#include <catch2/catch.hpp>

namespace autosync::backends::azure {
namespace {

std::string_view find(const http::Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

TEST_CASE("metadata names Azure accepts map to themselves") {
  for (std::string_view name : {"mtime", "file_mode", "a1", "_private", "x", "ax_b"}) {
    CHECK(encode_metadata_name(name) == name);
    CHECK(decode_metadata_name(name) == name);
  }
}

TEST_CASE("metadata names Azure refuses are escaped and decode exactly") {
  CHECK(encode_metadata_name("file-mode") == "file_x2d_mode");
  CHECK(encode_metadata_name("1st") == "_x31_st");
  CHECK(encode_metadata_name("a_xb") == "a_x5f_xb");
  for (std::string_view name : {"file-mode", "1st", "a_xb", "-", "__x", "a-_x2d_-", "9-9", "_x"}) {
    const std::string encoded = encode_metadata_name(name);
    INFO(name << " -> " << encoded);
    CHECK(encoded.find('-') == std::string::npos);
    CHECK_FALSE((encoded[0] >= '0' && encoded[0] <= '9'));
    CHECK(decode_metadata_name(encoded) == name);
  }
}

TEST_CASE("metadata and conditions become headers") {
  http::Headers headers;
  add_metadata_headers(headers, {{"mtime", "1700000000"}, {"file-mode", "0644"}});
  CHECK(find(headers, "x-ms-meta-mtime") == "1700000000");
  CHECK(find(headers, "x-ms-meta-file_x2d_mode") == "0644");

  Conditions conditions;
  conditions.if_match = "0x8DAEC6A2B3C4D5E";
  conditions.if_none_match = "*";
  add_condition_headers(headers, conditions);
  CHECK(find(headers, "If-Match") == "\"0x8DAEC6A2B3C4D5E\"");
  CHECK(find(headers, "If-None-Match") == "*");

  http::Headers source;
  add_condition_headers(source, {.if_match = "\"0x1\"", .if_none_match = ""}, "x-ms-source-");
  CHECK(find(source, "x-ms-source-If-Match") == "\"0x1\"");
  CHECK(source.size() == 1);
}

TEST_CASE("ranges are inclusive byte ranges, open-ended to the end") {
  CHECK(range_header_value({.offset = 0, .length = 10}) == "bytes=0-9");
  CHECK(range_header_value({.offset = 100, .length = ByteRange::kToEnd}) == "bytes=100-");
  CHECK(range_header_value({.offset = 5, .length = ByteRange::kToEnd - 2}) == "bytes=5-");
  CHECK(content_range_total("bytes 0-9/100") == 100u);
  CHECK(content_range_total("bytes */42") == 42u);
  CHECK_FALSE(content_range_total("").has_value());
}

TEST_CASE("object properties come from the answer's headers") {
  http::HttpResponse response;
  response.status = 206;
  response.headers = {
      {"content-length", "10"},          {"content-range", "bytes 10-19/1000"},
      {"etag", "\"0x8DAEC6A2B3C4D5E\""}, {"last-modified", "Mon, 02 Jan 2023 03:04:06 GMT"},
      {"content-type", "image/png"},     {"x-ms-meta-file_x2d_mode", "0644"},
      {"x-ms-meta-mtime", "1700000000"}};
  const ObjectInfo info = object_info_from_headers("a/b.png", response);
  CHECK(info.key == "a/b.png");
  CHECK(info.size == 1000);  // the whole object's size, not the range's
  CHECK(info.etag == "0x8DAEC6A2B3C4D5E");
  CHECK(info.content_type == "image/png");
  CHECK(info.last_modified == parse_timestamp("Mon, 02 Jan 2023 03:04:06 GMT").value());
  CHECK(info.metadata == UserMetadata{{"file-mode", "0644"}, {"mtime", "1700000000"}});

  response.headers[1] = {"x-other", ""};
  CHECK(object_info_from_headers("k", response).size == 10);
}

}  // namespace
}  // namespace autosync::backends::azure
