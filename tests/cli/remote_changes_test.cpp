// Changes made on the store behind a mount's back — by hand in the local backend's directory,
// or through a second mount with a cache of its own — show in the mount within a few polls of
// autosyncd's remote watcher. The mount's own listing TTL and the kernel's attribute and
// entry timeouts are an hour here, so only the watcher and the kernel invalidations it sends
// through autosyncfs can make the changes visible.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/cli/cli_fixture.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

namespace {

// Polls every 200 ms (backing off to 400 ms); nothing else refreshes within the test.
const std::vector<std::string> kWatchOptions = {
    "-o",
    "sync.poll_interval=200ms,sync.poll_max_interval=400ms,cache.dir_ttl=3600s,"
    "cache.attr_ttl=3600s"};

}  // namespace

TEST_CASE("objects added, changed and removed on the store show in the mount", "[cli]") {
  CliFixture f;
  f.put_by_hand("seed.txt", "the first version");
  const auto mounted = f.mount(kWatchOptions);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return f.syncd_running(); }));
  CHECK(read_file(f.mnt / "seed.txt") == "the first version");  // cached, pages too
  CHECK_FALSE(present(f.mnt / "new.txt"));  // the kernel now remembers it is not there

  f.put_by_hand("new.txt", "added elsewhere");
  CHECK(eventually([&] { return read_if_there(f.mnt / "new.txt") == "added elsewhere"; }, 15s));

  f.put_by_hand("seed.txt", "the second version, longer than the first");
  CHECK(eventually(
      [&] { return read_file(f.mnt / "seed.txt") == "the second version, longer than the first"; },
      15s));
  f.put_by_hand("seed.txt", "third version, same length as the 2nd one!");
  CHECK(eventually(
      [&] { return read_file(f.mnt / "seed.txt") == "third version, same length as the 2nd one!"; },
      15s));

  std::filesystem::remove(f.bucket / "new.txt");
  CHECK(eventually([&] { return !present(f.mnt / "new.txt"); }, 15s));

  // A new directory under a listed one appears with what it holds.
  f.put_by_hand("dir/inner.txt", "inside");
  CHECK(eventually([&] { return read_if_there(f.mnt / "dir" / "inner.txt") == "inside"; }, 15s));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a file open in the mount keeps its version until it is reopened", "[cli]") {
  CliFixture f;
  f.put_by_hand("doc.txt", "version one");
  REQUIRE(f.mount(kWatchOptions).exit_code == 0);
  {
    const auto fd = open_or_fail(f.mnt / "doc.txt", O_RDONLY);
    CHECK(pread_some(fd.get(), 64, 0) == "version one");
    f.put_by_hand("doc.txt", "version two");
    std::this_thread::sleep_for(1500ms);  // several polls
    CHECK(pread_some(fd.get(), 64, 0) == "version one");
  }
  CHECK(eventually([&] { return read_file(f.mnt / "doc.txt") == "version two"; }, 15s));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a second mount on its own cache sees the first one's changes", "[cli]") {
  CliFixture f;  // the bucket and the first mount
  CliFixture g;  // only its mountpoint and cache are used: the same bucket as f
  REQUIRE(f.mount(kWatchOptions).exit_code == 0);
  std::vector<std::string> second = {program("autosyncfs").string(), f.remote(), g.mnt.string(),
                                     "-o", g.cache_option()};
  second.insert(second.end(), kWatchOptions.begin(), kWatchOptions.end());
  const auto mounted = run(second);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  CHECK_FALSE(present(g.mnt / "shared.txt"));

  write_file(f.mnt / "shared.txt", "from the first mount");
  CHECK(eventually([&] { return read_if_there(g.mnt / "shared.txt") == "from the first mount"; },
                   20s));
  write_file(f.mnt / "shared.txt", "edited in the first mount");
  CHECK(eventually(
      [&] { return read_if_there(g.mnt / "shared.txt") == "edited in the first mount"; }, 20s));
  std::filesystem::remove(f.mnt / "shared.txt");
  CHECK(eventually([&] { return !present(g.mnt / "shared.txt"); }, 20s));

  CHECK(run({"/bin/fusermount3", "-u", g.mnt.string()}).exit_code == 0);
  REQUIRE(f.unmount().exit_code == 0);
}
