// autosyncctl resolve on s3rver: a real kept-both conflict on an S3 store (which s3rver
// cannot condition: uploads check with a HEAD first), settled by keeping the local version.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/cli/ctl_util.h"
#include "tests/cli/s3rver_bucket.h"
#include "tests/support/test_server.h"

using namespace autosync::testing;
using namespace std::chrono_literals;
namespace backends = autosync::backends;

namespace {

constexpr const char* kBucket = "resolve";

CommandResult mount_s3(const CliFixture& f, const TestServer& server) {
  return run({program("autosyncfs").string(), std::string("s3://") + kBucket, f.mnt.string(), "-o",
              s3rver_mount_options(server), "-o",
              "cache.dir=" + f.cache.string() +
                  ",sync.idle_exit=1s,sync.writeback_delay=0s,sync.poll_interval=0s"},
             s3rver_credentials());
}

}  // namespace

TEST_CASE("resolve --keep local on s3rver uploads the local version over the name",
          "[cli][ctl][s3]") {
  auto started = TestServer::start_s3rver(kBucket);
  REQUIRE(started.is_ok());
  TestServer server = std::move(started).value();
  auto bucket = open_s3rver_bucket(server, kBucket);
  CliFixture f;
  const auto mounted = mount_s3(f, server);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);

  write_file(f.mnt / "shared.txt", "ours v1");
  REQUIRE(eventually([&] { return object_body(*bucket, "shared.txt") == "ours v1"; }));
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
  REQUIRE(eventually([&] { return object_body(*bucket, copy) == "ours v2"; }, 30s));

  const auto resolved = ctl({"resolve", (f.mnt / "shared.txt").string(), "--keep", "local"});
  INFO(resolved.err);
  REQUIRE(resolved.exit_code == 0);
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "60s"}).exit_code == 0);
  CHECK(object_body(*bucket, "shared.txt") == "ours v2");
  CHECK_FALSE(object_body(*bucket, copy).has_value());
  CHECK(read_file(f.mnt / "shared.txt") == "ours v2");
  CHECK(json_of(ctl({"conflicts", "--mount", f.mnt.string(), "--json"})).empty());
  CHECK(json_of(ctl({"conflicts", "--all", "--mount", f.mnt.string(), "--json"})).size() == 1);
  REQUIRE(f.unmount().exit_code == 0);
}
