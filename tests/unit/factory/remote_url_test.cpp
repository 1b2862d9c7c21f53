#include "backends/remote_url.h"

#include <catch2/catch.hpp>

using namespace autosync;
using namespace autosync::backends;

TEST_CASE("remote URLs parse into scheme, bucket and prefix", "[remote]") {
  auto s3 = parse_remote_url("s3://my-bucket/team/docs/");
  REQUIRE(s3.is_ok());
  CHECK(s3->scheme == Scheme::kS3);
  CHECK(s3->bucket == "my-bucket");
  CHECK(s3->prefix == "team/docs/");
  CHECK(to_string(*s3) == "s3://my-bucket/team/docs");

  auto gs = parse_remote_url("gs://b");
  REQUIRE(gs.is_ok());
  CHECK(gs->scheme == Scheme::kGcs);
  CHECK(gs->prefix.empty());

  auto az = parse_remote_url("azure://container/p");
  REQUIRE(az.is_ok());
  CHECK(az->scheme == Scheme::kAzure);
  CHECK(az->prefix == "p/");

  auto file = parse_remote_url("file:///srv/bucket");
  REQUIRE(file.is_ok());
  CHECK(file->scheme == Scheme::kFile);
  CHECK(file->path == "/srv/bucket");
}

TEST_CASE("malformed remote URLs say what is accepted", "[remote]") {
  for (const char* bad : {"http://x", "s3://", "s3:///prefix", "file://relative", "bucket"}) {
    auto r = parse_remote_url(bad);
    INFO(bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().is(ErrorKind::kInvalid));
  }
  CHECK(parse_remote_url("ftp://x").status().message().find("s3://BUCKET") != std::string::npos);
}
