// autosyncctl scan against a real mount and daemon whose watcher polls once an hour and
// whose listing and kernel timeouts are an hour too: only the requested scan can make a
// change made by hand in the bucket visible in the mount.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kQuietOptions = {
    "-o", "sync.poll_interval=3600s,cache.dir_ttl=3600s,cache.attr_ttl=3600s"};

void mount_quiet(CliFixture& f) {
  const auto mounted = f.mount(kQuietOptions);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return ctl({"status", "--mount", f.mnt.string()}).exit_code == 0; }));
}

// Events are best effort: the mount's subscription to autosyncd's events may still be on
// its way just after the mount. Until a scan's invalidation is seen to reach the kernel
// (a name the kernel knew absent appears), each try uses a new name.
void wait_for_event_path(CliFixture& f) {
  bool through = false;
  for (int i = 0; i < 50 && !through; ++i) {
    const std::string name = "ready-" + std::to_string(i) + ".txt";
    REQUIRE_FALSE(present(f.mnt / name));  // the kernel now remembers it is not there
    f.put_by_hand(name, "ready");
    REQUIRE(ctl({"scan", "--mount", f.mnt.string()}).exit_code == 0);
    through = eventually([&] { return present(f.mnt / name); }, 200ms);
  }
  REQUIRE(through);
}

}  // namespace

TEST_CASE("scan makes changes on the store show in the mount now", "[cli][ctl]") {
  CliFixture f;
  f.put_by_hand("docs/seed.txt", "the first version");
  f.put_by_hand("docs/doomed.txt", "going away");
  mount_quiet(f);
  wait_for_event_path(f);
  CHECK(read_file(f.mnt / "docs" / "seed.txt") == "the first version");
  CHECK(present(f.mnt / "docs" / "doomed.txt"));
  CHECK_FALSE(present(f.mnt / "docs" / "new.txt"));  // the kernel remembers it is not there

  f.put_by_hand("docs/new.txt", "added elsewhere");
  f.put_by_hand("docs/seed.txt", "the second version, longer");
  std::filesystem::remove(f.bucket / "docs" / "doomed.txt");
  CHECK_FALSE(present(f.mnt / "docs" / "new.txt"));  // nothing polls on its own

  const auto scanned = ctl({"scan", (f.mnt / "docs").string(), "--json"});
  INFO(scanned.err);
  REQUIRE(scanned.exit_code == 0);
  const auto report = json_of(scanned);
  CHECK(report["dirs"] == 1);
  CHECK(report["added"] == 1);
  CHECK(report["changed"] == 1);
  CHECK(report["removed"] == 1);
  // The kernel hears of it through autosyncfs's invalidations (best effort, so a moment).
  CHECK(eventually([&] { return present(f.mnt / "docs" / "new.txt"); }, 5s));
  CHECK(read_file(f.mnt / "docs" / "new.txt") == "added elsewhere");
  CHECK(eventually(
      [&] { return read_file(f.mnt / "docs" / "seed.txt") == "the second version, longer"; }, 5s));
  CHECK(eventually([&] { return !present(f.mnt / "docs" / "doomed.txt"); }, 5s));

  // Nothing changed since: a whole-tree scan finds nothing, as a table.
  const auto again = ctl({"scan", "--mount", f.mnt.string()});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("0 added, 0 changed, 0 removed"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("scan refuses a path the cache does not know, in one line", "[cli][ctl]") {
  CliFixture f;
  mount_quiet(f);
  const auto unknown = ctl({"scan", (f.mnt / "nowhere").string()});
  CHECK(unknown.exit_code == 1);
  CHECK(one_error_line(unknown));
  const auto outside = ctl({"scan", "--mount", f.mnt.string(), "/etc"});
  CHECK(outside.exit_code == 1);
  CHECK(one_error_line(outside));
  const auto bad = ctl({"scan", "--mount", f.mnt.string(), "--timeout", "soon"});
  CHECK(bad.exit_code == 2);
  REQUIRE(f.unmount().exit_code == 0);
}
