// autosyncctl conflicts and watch against a real mount and daemon.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

TEST_CASE("autosyncctl conflicts lists a kept-both conflict, as a table and as JSON", "[cli]") {
  CliFixture f;
  // No remote watcher: the change on the store meets the local one at upload time.
  REQUIRE(f.mount({"-o", "sync.poll_interval=0s"}).exit_code == 0);
  CHECK(ctl({"conflicts", "--cache", f.cache.string()}).out == "no conflicts\n");

  write_file(f.mnt / "shared.txt", "ours v1");
  REQUIRE(eventually([&] { return f.object_is("shared.txt", "ours v1"); }));
  f.put_by_hand("shared.txt", "theirs");
  write_file(f.mnt / "shared.txt", "ours v2");

  nlohmann::json listed;
  REQUIRE(eventually([&] {
    listed = json_of(ctl({"conflicts", "--cache", f.cache.string(), "--json"}));
    return listed.is_array() && listed.size() == 1;
  }));
  const auto& conflict = listed[0];
  CHECK(conflict["path"] == "shared.txt");
  CHECK(conflict["policy"] == "keep-both");
  CHECK(conflict["resolved"] == false);
  const std::string copy = conflict["copy_path"];
  CHECK(copy.starts_with("shared.conflict-"));
  CHECK(eventually([&] { return f.object_is(copy, "ours v2"); }));
  CHECK(f.object_is("shared.txt", "theirs"));

  const auto table = ctl({"conflicts", "--mount", f.mnt.string()});
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("shared.txt") != std::string::npos);
  CHECK(table.out.find(copy) != std::string::npos);
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("autosyncctl watch prints the daemon's events as they happen", "[cli]") {
  CliFixture f;
  mount_with_daemon(f);
  Command watch({program("autosyncctl").string(), "watch", "--cache", f.cache.string(), "--json",
                 "--count", "1", "--timeout", "30s"});
  // A subscriber misses what is published before its connection completes: keep writing
  // until the watcher has seen an event.
  std::atomic<bool> seen{false};
  std::jthread writer([&] {
    for (int i = 0; i < 100 && !seen.load(); ++i) {
      write_file(f.mnt / ("w" + std::to_string(i) + ".txt"), "seen");
      std::this_thread::sleep_for(200ms);
    }
  });
  const auto result = watch.wait(30s);
  seen.store(true);
  writer.join();
  INFO(result.err);
  CHECK(result.exit_code == 0);
  const auto event = nlohmann::json::parse(result.out, nullptr, false);
  REQUIRE(event.is_object());
  CHECK(event["v"] == 1);
  CHECK(event["kind"] == "uploaded");
  CHECK(std::string(event["path"]).starts_with("w"));

  const auto timed_out =
      ctl({"watch", "--cache", f.cache.string(), "--count", "1", "--timeout", "300ms"});
  CHECK(timed_out.exit_code == 1);
  CHECK(one_error_line(timed_out));
  const auto bad = ctl({"watch", "--cache", f.cache.string(), "--timeout", "soon"});
  CHECK(bad.exit_code == 2);
  CHECK(one_error_line(bad));
  REQUIRE(f.unmount().exit_code == 0);
}
