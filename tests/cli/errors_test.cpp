// Bad input to the programs: one line on stderr, a non-zero exit, nothing left mounted.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "tests/cli/cli_fixture.h"

using namespace autosync::testing;

namespace {

bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && std::count(text.begin(), text.end(), '\n') == 1;
}

}  // namespace

TEST_CASE("a bad command line is one line and exit code 2", "[cli]") {
  CliFixture f;
  for (const auto& extra : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"-o", "no.such.key=1"}, {"-o", "cache.size=lots"}, {"-o"}}) {
    const auto result = f.mount(extra);
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(one_line(result.err));
    CHECK(result.err.rfind("autosyncfs: ", 0) == 0);
  }
  const auto none = run({program("autosyncfs").string()});
  CHECK(none.exit_code == 2);
  CHECK(one_line(none.err));
  const auto daemon = run({program("autosyncd").string(), "--idle-exit", "soon"});
  CHECK(daemon.exit_code == 2);
  CHECK(one_line(daemon.err));
  CHECK_FALSE(f.mounted());
}

TEST_CASE("what cannot be mounted is one line and exit code 1, and nothing is mounted", "[cli]") {
  CliFixture f;
  SECTION("a bucket directory that does not exist") {
    const auto result = run({program("autosyncfs").string(), "file:///nonexistent/bucket",
                             f.mnt.string(), "-o", f.cache_option()});
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(one_line(result.err));
    CHECK(result.err.find("/nonexistent/bucket") != std::string::npos);
  }
  SECTION("a mountpoint that does not exist") {
    const auto result = run({program("autosyncfs").string(), f.remote(),
                             (f.tmp.path() / "nope").string(), "-o", f.cache_option()});
    CHECK(result.exit_code == 1);
    CHECK(one_line(result.err));
  }
  SECTION("an S3 server that is not there") {
    const auto result =
        run({program("autosyncfs").string(), "s3://bucket", f.mnt.string(), "-o", f.cache_option(),
             "-o", "s3.endpoint=http://127.0.0.1:1,s3.region=us-east-1"},
            {{"AWS_ACCESS_KEY_ID", "k"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(one_line(result.err));
    CHECK(result.err.find("127.0.0.1:1") != std::string::npos);
  }
  SECTION("a secret read from an environment variable that is not set") {
    const auto result = f.mount({"-o", "s3.access_key_id=env:NOPE"});
    CHECK(result.exit_code == 2);
    CHECK(one_line(result.err));
  }
  SECTION("an AUTOSYNCD that is not a program") {
    const auto result = f.mount({}, {{"AUTOSYNCD", "/nonexistent/autosyncd"}});
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(one_line(result.err));
    CHECK(result.err.find("AUTOSYNCD=/nonexistent/autosyncd") != std::string::npos);
  }
  SECTION("a corrupt cache index") {
    std::filesystem::create_directories(f.cache);
    write_file(f.cache / "index.db", std::string(8192, 'G'));
    const auto result = f.mount();
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(one_line(result.err));
    CHECK(result.err.find("index.db") != std::string::npos);
  }
  CHECK_FALSE(f.mounted());
}

TEST_CASE("a second mount of the same cache is refused while the first serves", "[cli]") {
  CliFixture f;
  REQUIRE(f.mount().exit_code == 0);
  const auto other = f.tmp.path() / "mnt2";
  std::filesystem::create_directory(other);
  const auto second =
      run({program("autosyncfs").string(), f.remote(), other.string(), "-o", f.cache_option()});
  INFO(second.err);
  CHECK(second.exit_code == 1);
  CHECK(one_line(second.err));
  CHECK(second.err.find("already mounted") != std::string::npos);
  CHECK_FALSE(mount_type(other).has_value());
  CHECK(f.unmount().exit_code == 0);
}
