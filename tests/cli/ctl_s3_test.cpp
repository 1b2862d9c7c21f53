// autosyncctl resolve on s3rver: a real kept-both conflict on an S3 store (which s3rver
// cannot condition: uploads check with a HEAD first), settled by keeping the local version.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "backends/byte_io.h"
#include "backends/open.h"
#include "tests/cli/ctl_util.h"
#include "tests/support/test_server.h"

using namespace autosync::testing;
using namespace std::chrono_literals;
namespace backends = autosync::backends;

namespace {

constexpr const char* kBucket = "resolve";

const std::map<std::string, std::string> kCredentials = {{"AWS_ACCESS_KEY_ID", "S3RVER"},
                                                         {"AWS_SECRET_ACCESS_KEY", "S3RVER"}};

CommandResult mount_s3(const CliFixture& f, const TestServer& server) {
  return run({program("autosyncfs").string(), std::string("s3://") + kBucket, f.mnt.string(), "-o",
              "s3.preset=minio,s3.region=us-east-1,s3.conditional_write=false,s3.endpoint=" +
                  server.endpoint(),
              "-o",
              "cache.dir=" + f.cache.string() +
                  ",sync.idle_exit=1s,sync.writeback_delay=0s,sync.poll_interval=0s"},
             kCredentials);
}

std::unique_ptr<backends::ObjectStore> open_bucket(const TestServer& server) {
  backends::StoreConfig config;
  config.remote = {backends::Scheme::kS3, kBucket, "", ""};
  config.s3.preset = backends::s3::Preset::kMinio;
  config.s3.endpoint = server.endpoint();
  config.s3.region = "us-east-1";
  config.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
  auto store = backends::open(config);
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

std::optional<std::string> body_of(backends::ObjectStore& store, const std::string& key) {
  backends::BufferSink sink;
  if (!store.get(key, {}, sink).is_ok()) return std::nullopt;
  return sink.take();
}

}  // namespace

TEST_CASE("resolve --keep local on s3rver uploads the local version over the name",
          "[cli][ctl][s3]") {
  auto started = TestServer::start_s3rver(kBucket);
  REQUIRE(started.is_ok());
  TestServer server = std::move(started).value();
  auto bucket = open_bucket(server);
  CliFixture f;
  const auto mounted = mount_s3(f, server);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);

  write_file(f.mnt / "shared.txt", "ours v1");
  REQUIRE(eventually([&] { return body_of(*bucket, "shared.txt") == "ours v1"; }));
  REQUIRE(bucket->put("shared.txt", backends::BufferSource("theirs"), {}).is_ok());
  write_file(f.mnt / "shared.txt", "ours v2");
  nlohmann::json listed;
  REQUIRE(eventually(
      [&] {
        listed = json_of(ctl({"conflicts", "--mount", f.mnt.string(), "--json"}));
        return listed.is_array() && listed.size() == 1;
      },
      30s));
  const std::string copy = listed[0]["copy_path"];
  REQUIRE(eventually([&] { return body_of(*bucket, copy) == "ours v2"; }, 30s));

  const auto resolved = ctl({"resolve", (f.mnt / "shared.txt").string(), "--keep", "local"});
  INFO(resolved.err);
  REQUIRE(resolved.exit_code == 0);
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "60s"}).exit_code == 0);
  CHECK(body_of(*bucket, "shared.txt") == "ours v2");
  CHECK_FALSE(body_of(*bucket, copy).has_value());
  CHECK(read_file(f.mnt / "shared.txt") == "ours v2");
  CHECK(json_of(ctl({"conflicts", "--mount", f.mnt.string(), "--json"})).empty());
  CHECK(json_of(ctl({"conflicts", "--all", "--mount", f.mnt.string(), "--json"})).size() == 1);
  REQUIRE(f.unmount().exit_code == 0);
}
