// Endpoints and request URLs: path-style and virtual-hosted addressing with keys that need
// encoding, canonical query strings, and x-amz-copy-source.
#include <catch2/catch.hpp>

#include "backends/s3/endpoint.h"
#include "backends/s3/s3_url.h"

namespace autosync::backends::s3 {

TEST_CASE("endpoints parse into scheme, host and port", "[s3url]") {
  auto e = parse_endpoint("http://127.0.0.1:9000");
  REQUIRE(e.is_ok());
  CHECK(e->scheme == "http");
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == "9000");
  CHECK(e->url() == "http://127.0.0.1:9000");
  e = parse_endpoint("  https://Storage.GoogleAPIs.com/ ");
  REQUIRE(e.is_ok());
  CHECK(e->url() == "https://storage.googleapis.com");
  e = parse_endpoint("http://[::1]:9000");
  REQUIRE(e.is_ok());
  CHECK(e->host == "[::1]");
  CHECK(e->authority() == "[::1]:9000");
  CHECK(parse_endpoint("http://minio:80")->url() == "http://minio");
}

TEST_CASE("ip addresses and virtual-host-compatible bucket names", "[s3url]") {
  CHECK(is_ip_address("192.168.1.20"));
  CHECK(is_ip_address("[fe80::1]"));
  CHECK_FALSE(is_ip_address("192.168.1"));
  CHECK_FALSE(is_ip_address("300.1.1.1"));
  CHECK_FALSE(is_ip_address("s3.amazonaws.com"));
  CHECK(is_virtual_host_compatible("my-bucket", true));
  CHECK(is_virtual_host_compatible("my.bucket", false));
  CHECK_FALSE(is_virtual_host_compatible("my.bucket", true));
  CHECK_FALSE(is_virtual_host_compatible("My-Bucket", false));
  CHECK_FALSE(is_virtual_host_compatible("under_score", false));
  CHECK_FALSE(is_virtual_host_compatible("10.0.0.1", false));
  CHECK_FALSE(is_virtual_host_compatible("a..b", false));
}

TEST_CASE("path-style targets encode keys once and keep slashes", "[s3url]") {
  const UrlBuilder urls(Endpoint{"http", "127.0.0.1", "9000"}, "bucket", Addressing::kPath);
  struct Case {
    std::string key;
    std::string path;
  };
  const std::vector<Case> cases{
      {"plain.txt", "/bucket/plain.txt"},
      {"with space.txt", "/bucket/with%20space.txt"},
      {"a+b=c&d", "/bucket/a%2Bb%3Dc%26d"},
      {"100%", "/bucket/100%25"},
      {"hash#tag?q", "/bucket/hash%23tag%3Fq"},
      {"deep/a/b/c.txt", "/bucket/deep/a/b/c.txt"},
      {"ключ/日本", "/bucket/%D0%BA%D0%BB%D1%8E%D1%87/%E6%97%A5%E6%9C%AC"},
      {"keep-._~", "/bucket/keep-._~"},
      {"already%20encoded", "/bucket/already%2520encoded"},
      {"dir/", "/bucket/dir/"},
  };
  for (const Case& c : cases) {
    const RequestTarget t = urls.target(c.key, {});
    INFO(c.key);
    CHECK(t.canonical_uri == c.path);
    CHECK(t.url == "http://127.0.0.1:9000" + c.path);
    CHECK(t.host == "127.0.0.1:9000");
  }
  const RequestTarget bucket = urls.target("", {{"list-type", "2"}, {"prefix", "a b/"}});
  CHECK(bucket.canonical_uri == "/bucket");
  CHECK(bucket.url == "http://127.0.0.1:9000/bucket?list-type=2&prefix=a%20b%2F");
}

TEST_CASE("virtual-hosted targets put the bucket in the host", "[s3url]") {
  const UrlBuilder urls(Endpoint{"https", "s3.eu-west-1.amazonaws.com", ""}, "my-bucket",
                        Addressing::kVirtualHosted);
  const RequestTarget t = urls.target("photos/2024 summer/ä+1.jpg", {{"uploadId", "a/b+c"}});
  CHECK(t.host == "my-bucket.s3.eu-west-1.amazonaws.com");
  CHECK(t.canonical_uri == "/photos/2024%20summer/%C3%A4%2B1.jpg");
  CHECK(t.canonical_query == "uploadId=a%2Fb%2Bc");
  CHECK(t.url ==
        "https://my-bucket.s3.eu-west-1.amazonaws.com/photos/2024%20summer/%C3%A4%2B1.jpg"
        "?uploadId=a%2Fb%2Bc");
  CHECK(urls.target("", {}).canonical_uri == "/");
}

TEST_CASE("canonical query strings sort encoded names and keep empty values", "[s3url]") {
  CHECK(canonical_query_string({}) == "");
  CHECK(canonical_query_string({{"uploads", ""}}) == "uploads=");
  CHECK(canonical_query_string({{"prefix", "b"}, {"delimiter", "/"}, {"Zed", "1"}}) ==
        "Zed=1&delimiter=%2F&prefix=b");
  // A continuation token is base64: '+', '/' and '=' must be encoded.
  CHECK(canonical_query_string({{"continuation-token", "1+2/3=="}}) ==
        "continuation-token=1%2B2%2F3%3D%3D");
}

TEST_CASE("copy sources encode fully or keep reserved characters raw", "[s3url]") {
  const UrlBuilder urls(Endpoint{"http", "localhost", "4568"}, "b", Addressing::kPath);
  CHECK(urls.copy_source("dir/a b+c#?.txt", CopySourceEncoding::kFull) ==
        "/b/dir/a%20b%2Bc%23%3F.txt");
  CHECK(urls.copy_source("dir/a b+c#?%.txt", CopySourceEncoding::kKeepReserved) ==
        "/b/dir/a%20b+c#?%25.txt");
  CHECK(urls.copy_source("ключ", CopySourceEncoding::kKeepReserved) ==
        "/b/%D0%BA%D0%BB%D1%8E%D1%87");
}

}  // namespace autosync::backends::s3
