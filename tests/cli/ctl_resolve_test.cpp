// autosyncctl resolve against a real mount and daemon: a real kept-both conflict (the bucket
// changed by hand while the mount had a change to upload), settled each way; the files in
// the mount and on the store, and the conflicts table, afterwards.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

namespace {

nlohmann::json conflicts(const CliFixture& f, bool all) {
  std::vector<std::string> args{"conflicts", "--cache", f.cache.string(), "--json"};
  if (all) args.push_back("--all");
  return json_of(ctl(args));
}

// Mounts `f` without a remote watcher and makes a kept-both conflict on shared.txt: the
// store holds "theirs" at the name, the local "ours v2" went to the returned copy's path.
std::string make_conflict(CliFixture& f) {
  REQUIRE(f.mount({"-o", "sync.poll_interval=0s"}).exit_code == 0);
  write_file(f.mnt / "shared.txt", "ours v1");
  REQUIRE(eventually([&] { return f.object_is("shared.txt", "ours v1"); }));
  f.put_by_hand("shared.txt", "theirs");
  write_file(f.mnt / "shared.txt", "ours v2");
  nlohmann::json listed;
  REQUIRE(eventually([&] {
    listed = conflicts(f, false);
    return listed.is_array() && listed.size() == 1;
  }));
  const std::string copy = listed[0]["copy_path"];
  REQUIRE(eventually([&] { return f.object_is(copy, "ours v2"); }));
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  return copy;
}

}  // namespace

TEST_CASE("resolve --keep local puts the copy's bytes back under the name", "[cli][ctl]") {
  CliFixture f;
  const std::string copy = make_conflict(f);
  const auto resolved =
      ctl({"resolve", (f.mnt / "shared.txt").string(), "--keep", "local", "--json"});
  INFO(resolved.err);
  REQUIRE(resolved.exit_code == 0);
  const auto reply = json_of(resolved);
  CHECK(reply["path"] == "shared.txt");
  CHECK(reply["copy_path"] == copy);
  CHECK_THAT(std::string(reply["resolution"]), Catch::Contains("settled: kept local"));

  CHECK(read_file(f.mnt / "shared.txt") == "ours v2");
  CHECK_FALSE(std::filesystem::exists(f.mnt / copy));
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
  CHECK(f.object_is("shared.txt", "ours v2"));  // uploaded If-Match "theirs": no new conflict
  CHECK_FALSE(f.object(copy).has_value());
  CHECK(conflicts(f, false).empty());
  const auto all = conflicts(f, true);
  REQUIRE(all.size() == 1);
  CHECK(all[0]["resolved"] == true);
  CHECK_THAT(std::string(all[0]["resolution"]), Catch::Contains("settled: kept local"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("resolve --keep remote removes the copy, --keep both only settles", "[cli][ctl]") {
  CliFixture f;
  const std::string copy = make_conflict(f);
  SECTION("remote") {
    const auto resolved = ctl({"resolve", (f.mnt / "shared.txt").string(), "--keep", "remote"});
    INFO(resolved.err);
    REQUIRE(resolved.exit_code == 0);
    CHECK_THAT(resolved.out, Catch::Contains("kept remote") && Catch::Contains(copy));
    // Within cache.attr_ttl: the kernel may still hold keep-both's old entry for the name
    // when the daemon's invalidation (best effort) came late.
    CHECK(eventually([&] { return read_file(f.mnt / "shared.txt") == "theirs"; }, 5s));
    CHECK_FALSE(std::filesystem::exists(f.mnt / copy));
    REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "30s"}).exit_code == 0);
    CHECK_FALSE(f.object(copy).has_value());
    CHECK(f.object_is("shared.txt", "theirs"));
  }
  SECTION("both, named by the copy") {
    const auto resolved = ctl({"resolve", (f.mnt / copy).string(), "--keep", "both"});
    INFO(resolved.err);
    REQUIRE(resolved.exit_code == 0);
    // As above: keep-both's invalidation of the kernel's entry for the name is best effort.
    CHECK(eventually([&] { return read_file(f.mnt / "shared.txt") == "theirs"; }, 5s));
    CHECK(read_file(f.mnt / copy) == "ours v2");
    CHECK(f.object_is(copy, "ours v2"));
  }
  CHECK(conflicts(f, false).empty());
  CHECK(conflicts(f, true).size() == 1);

  // Settled: a second resolve has nothing to do.
  const auto again = ctl({"resolve", (f.mnt / "shared.txt").string(), "--keep", "local"});
  CHECK(again.exit_code == 1);
  CHECK(one_error_line(again));
  CHECK_THAT(again.err, Catch::Contains("no unsettled conflict"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("resolve refuses unknown paths and bad --keep values in one line", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  write_file(f.mnt / "calm.txt", "no conflict here");
  const auto unknown = ctl({"resolve", (f.mnt / "calm.txt").string(), "--keep", "remote"});
  CHECK(unknown.exit_code == 1);
  CHECK(one_error_line(unknown));
  CHECK_THAT(unknown.err, Catch::Contains("calm.txt") && Catch::Contains("no conflict"));
  const auto bad = ctl({"resolve", (f.mnt / "calm.txt").string(), "--keep", "mine"});
  CHECK(bad.exit_code == 2);
  const auto missing = ctl({"resolve", (f.mnt / "calm.txt").string()});
  CHECK(missing.exit_code == 2);
  REQUIRE(f.unmount().exit_code == 0);
}
