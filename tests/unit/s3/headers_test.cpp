// Request and answer headers: object info, ranges, conditions, metadata, and the checks that
// keep caller values from breaking a header line.
#include <catch2/catch.hpp>

#include "backends/s3/s3_headers.h"
#include "backends/s3/s3_store.h"

namespace autosync::backends::s3 {

TEST_CASE("object info comes from answer headers", "[s3headers]") {
  http::HttpResponse response;
  response.status = 200;
  response.headers = {{"content-length", "1234"},
                      {"etag", "\"0123abcd\""},
                      {"last-modified", "Fri, 24 May 2013 00:00:00 GMT"},
                      {"content-type", "text/plain"},
                      {"x-amz-version-id", "v1"},
                      {"x-amz-meta-color", "blue"},
                      {"x-amz-meta-mtime", "1700000000"}};
  const ObjectInfo info = info_from_headers("docs/a.txt", response);
  CHECK(info.key == "docs/a.txt");
  CHECK(info.size == 1234);
  CHECK(info.etag == "0123abcd");
  CHECK(info.last_modified == *parse_timestamp("2013-05-24T00:00:00Z"));
  CHECK(info.content_type == "text/plain");
  CHECK(info.version_id == "v1");
  CHECK(info.metadata == UserMetadata{{"color", "blue"}, {"mtime", "1700000000"}});
}

TEST_CASE("a partial answer's size is the whole object's", "[s3headers]") {
  http::HttpResponse response;
  response.status = 206;
  response.headers = {{"content-length", "10"}, {"content-range", "bytes 0-9/5000"}};
  CHECK(info_from_headers("k", response).size == 5000);
  CHECK(content_range_total("bytes */77") == 77u);
  CHECK_FALSE(content_range_total("bytes 0-9/*").has_value());
  CHECK_FALSE(content_range_total("").has_value());
}

TEST_CASE("range headers", "[s3headers]") {
  CHECK(range_header({0, 10}) == "bytes=0-9");
  CHECK(range_header({100, 1}) == "bytes=100-100");
  CHECK(range_header({5, ByteRange::kToEnd}) == "bytes=5-");
  CHECK(range_header({5, ByteRange::kToEnd - 2}) == "bytes=5-");  // would overflow
}

TEST_CASE("conditions quote etags, copy conditions get their prefix", "[s3headers]") {
  http::Headers headers;
  add_conditions(headers, Conditions{"abc", ""});
  add_conditions(headers, Conditions{"", "*"});
  add_conditions(headers, Conditions{"\"def\"", ""}, "x-amz-copy-source-");
  CHECK(headers == http::Headers{{"if-match", "\"abc\""},
                                 {"if-none-match", "*"},
                                 {"x-amz-copy-source-if-match", "\"def\""}});
}

TEST_CASE("header values that could break a request are refused", "[s3headers]") {
  CHECK(check_header_values({{"color", "blue"}, {"x_y-1", "any printable ~!"}}, "text/plain", {})
            .is_ok());
  CHECK(check_header_values({{"Color", "blue"}}, "", {}).is(ErrorKind::kInvalid));
  CHECK(check_header_values({{"", "blue"}}, "", {}).is(ErrorKind::kInvalid));
  CHECK(check_header_values({{"c", "evil\r\nx-amz-acl: public-read"}}, "", {})
            .is(ErrorKind::kInvalid));
  CHECK(check_header_values({{"c", "caf\xC3\xA9"}}, "", {}).is(ErrorKind::kInvalid));
  CHECK(check_header_values({}, "text/plain\n", {}).is(ErrorKind::kInvalid));
  CHECK(check_header_values({}, "", Conditions{"a\r\nb", ""}).is(ErrorKind::kInvalid));
}

TEST_CASE("presets decide capabilities", "[s3headers]") {
  CHECK(capabilities_for(Preset::kAws).conditional_write);
  CHECK(capabilities_for(Preset::kAws).batch_delete);
  CHECK(capabilities_for(Preset::kMinio).conditional_write);
  CHECK_FALSE(capabilities_for(Preset::kGcs).batch_delete);
  CHECK_FALSE(capabilities_for(Preset::kGcs).conditional_write);
  CHECK(capabilities_for(Preset::kAws).max_key_bytes == 1024);
}

TEST_CASE("open_store wants a resolved config and never touches the network", "[s3headers]") {
  S3Config config;
  config.bucket = "b";
  config.credentials = Credentials{"k", "s", ""};
  CHECK(open_store(config).status().is(ErrorKind::kInvalid));  // addressing still kAuto
  config.endpoint = "http://127.0.0.1:1";                      // nothing listens there
  config.addressing = Addressing::kPath;
  config.region = "us-east-1";
  const auto store = open_store(config);
  REQUIRE(store.is_ok());
  CHECK((*store)->describe() == "s3://b at http://127.0.0.1:1");
  const auto head = (*store)->head("x");
  REQUIRE_FALSE(head.is_ok());
  CHECK(head.status().kind() == ErrorKind::kTransient);
  CHECK_THAT(head.status().message(), Catch::StartsWith("head x: "));
  CHECK((*store)->head("").status().is(ErrorKind::kInvalid));
  CHECK((*store)->head(std::string(1025, 'k')).status().is(ErrorKind::kInvalid));
}

}  // namespace autosync::backends::s3
