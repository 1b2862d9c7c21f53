#include "tests/cli/s3rver_bucket.h"

#include <catch2/catch.hpp>

#include "backends/byte_io.h"
#include "backends/open.h"

namespace autosync::testing {

const std::map<std::string, std::string>& s3rver_credentials() {
  static const std::map<std::string, std::string> credentials = {
      {"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"}};
  return credentials;
}

std::string s3rver_mount_options(const TestServer& server) {
  return "s3.preset=minio,s3.region=us-east-1,s3.conditional_write=false,s3.endpoint=" +
         server.endpoint();
}

std::unique_ptr<backends::ObjectStore> open_s3rver_bucket(const TestServer& server,
                                                          const std::string& bucket) {
  backends::StoreConfig config;
  config.remote = {backends::Scheme::kS3, bucket, "", ""};
  config.s3.preset = backends::s3::Preset::kMinio;
  config.s3.endpoint = server.endpoint();
  config.s3.region = "us-east-1";
  config.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
  auto store = backends::open(config);
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

std::optional<std::string> object_body(backends::ObjectStore& store, const std::string& key) {
  backends::BufferSink sink;
  if (!store.get(key, {}, sink).is_ok()) return std::nullopt;
  return sink.take();
}

}  // namespace autosync::testing
