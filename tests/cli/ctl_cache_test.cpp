// autosyncctl cache set-limit against a real mount and daemon: clean data evicted down to
// the new limit at once (dirty data kept), the mount keeping to it afterwards, and the limit
// lasting across a remount unless cache.size is given.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kMiB = 1 << 20;

nlohmann::json entry(const CliFixture& f, const std::string& name) {
  const auto listed = json_of(ctl({"ls", "--json", (f.mnt / name).string()}));
  return listed.is_array() && listed.size() == 1 ? listed[0] : nlohmann::json();
}

uint64_t cache_limit(const CliFixture& f) {
  return json_of(ctl({"status", "--json", "--mount", f.mnt.string()}))["cache"]["limit"];
}

uint64_t cache_used(const CliFixture& f) {
  return json_of(ctl({"status", "--json", "--mount", f.mnt.string()}))["cache"]["used"];
}

std::string body(char c) {
  return std::string(kMiB, c);
}

}  // namespace

TEST_CASE("cache set-limit evicts clean data down to the limit and keeps dirty data",
          "[cli][ctl]") {
  CliFixture f;
  for (const char c : {'a', 'b', 'c', 'd'})
    write_file(f.bucket / (std::string(1, c) + ".bin"), body(c));
  mount_with_daemon(f);
  for (const char c : {'a', 'b', 'c', 'd'})
    REQUIRE(read_file(f.mnt / (std::string(1, c) + ".bin")) == body(c));
  REQUIRE(ctl({"pause", "--mount", f.mnt.string()}).exit_code == 0);
  write_file(f.mnt / "dirty.bin", body('x'));
  REQUIRE(cache_used(f) == 5 * kMiB);

  const auto set = ctl({"cache", "set-limit", "2M", "--mount", f.mnt.string(), "--json"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  const auto reply = json_of(set);
  CHECK(reply["limit"] == 2 * kMiB);
  CHECK(reply["previous"] == 10ULL << 30);
  CHECK(reply["persists"] == true);
  CHECK(reply["evicted_files"] == 3);
  CHECK(reply["used"] <= 2 * kMiB);
  CHECK(cache_used(f) <= 2 * kMiB);
  CHECK(cache_limit(f) == 2 * kMiB);
  CHECK(entry(f, "dirty.bin")["dirty"] == true);
  CHECK(entry(f, "dirty.bin")["cached_percent"] == 100);
  CHECK(entry(f, "d.bin")["cached_percent"] == 100);  // the most recently used clean file

  // The mount keeps to the new limit as it fetches (it follows within a second).
  CHECK(eventually(
      [&] {
        for (const char c : {'a', 'b', 'c'}) {
          if (read_file(f.mnt / (std::string(1, c) + ".bin")) != body(c)) return false;
        }
        return cache_used(f) <= 2 * kMiB;
      },
      10s));
  CHECK(entry(f, "dirty.bin")["dirty"] == true);
  CHECK(read_file(f.mnt / "dirty.bin") == body('x'));

  // Below what dirty data holds: a warning, the dirty files still kept.
  write_file(f.mnt / "dirty2.bin", body('y'));
  const auto tight = ctl({"cache", "set-limit", "1M", "--mount", f.mnt.string()});
  CHECK(tight.exit_code == 0);
  CHECK_THAT(tight.out, Catch::Contains("1.0 MiB"));
  CHECK(one_error_line(tight));
  CHECK_THAT(tight.err, Catch::Contains("over the limit"));
  CHECK(entry(f, "dirty.bin")["cached_percent"] == 100);
  REQUIRE(ctl({"resume", "--mount", f.mnt.string()}).exit_code == 0);
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  CHECK(f.object_is("dirty.bin", body('x')));
  CHECK(f.object_is("dirty2.bin", body('y')));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a limit set with cache set-limit lasts across a remount unless cache.size is given",
          "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  REQUIRE(ctl({"cache", "set-limit", "3M", "--mount", f.mnt.string()}).exit_code == 0);
  REQUIRE(f.unmount().exit_code == 0);
  REQUIRE(eventually([&] { return !f.syncd_running(); }, 15s));

  mount_with_daemon(f);
  CHECK(cache_limit(f) == 3 * kMiB);
  REQUIRE(f.unmount().exit_code == 0);
  REQUIRE(eventually([&] { return !f.syncd_running(); }, 15s));

  REQUIRE(f.mount({"-o", "cache.size=20M"}).exit_code == 0);
  REQUIRE(eventually([&] { return ctl({"status", "--mount", f.mnt.string()}).exit_code == 0; }));
  CHECK(cache_limit(f) == 20 * kMiB);
  const auto set = json_of(ctl({"cache", "set-limit", "4M", "--mount", f.mnt.string(), "--json"}));
  CHECK(set["persists"] == false);
  CHECK(cache_limit(f) == 4 * kMiB);

  const auto bad = ctl({"cache", "set-limit", "lots", "--mount", f.mnt.string()});
  CHECK(bad.exit_code == 2);
  CHECK(one_error_line(bad));
  CHECK(ctl({"cache", "set-limit", "512K", "--mount", f.mnt.string()}).exit_code == 2);
  CHECK(ctl({"cache", "--mount", f.mnt.string()}).exit_code == 2);
  REQUIRE(f.unmount().exit_code == 0);
}
