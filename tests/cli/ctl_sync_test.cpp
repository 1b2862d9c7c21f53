// autosyncctl against a real mount and daemon: status, queue, pause/resume, flush and
// unmount, in both output modes, and the errors (no daemon, bad flags, paths outside).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

TEST_CASE("autosyncctl status shows the remote, the mount and the queue", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  const auto table = ctl({"status", "--mount", f.mnt.string()});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("remote:") && Catch::Contains(f.remote()) &&
                            Catch::Contains(f.mnt.string()) && Catch::Contains("online:") &&
                            Catch::Contains("queue:"));
  const auto json = ctl({"--json", "status", "--cache", f.cache.string()});
  REQUIRE(json.exit_code == 0);
  const auto status = json_of(json);
  CHECK(status["remote"] == f.remote());
  CHECK(status["online"] == true);
  CHECK(status["paused"] == false);
  CHECK(status["mount"]["mountpoint"] == f.mnt.string());
  CHECK(status["queue"]["pending"].is_number());
  CHECK(status["cache"]["limit"].get<uint64_t>() > 0);
  // A path inside the mount finds it too.
  write_file(f.mnt / "here.txt", "x");
  CHECK(ctl({"status", "--json", "--mount", f.mnt.string()}).exit_code == 0);
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("pause holds uploads in the queue, resume and flush put them on the store",
          "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  const std::string mnt = f.mnt.string();
  const auto paused = ctl({"pause", "--mount", mnt});
  REQUIRE(paused.exit_code == 0);
  CHECK_THAT(paused.out, Catch::Contains("paused"));
  CHECK(json_of(ctl({"pause", "--json", "--mount", mnt}))["paused"] == true);
  write_file(f.mnt / "held.txt", "held");
  REQUIRE(eventually([&] {
    const auto q = json_of(ctl({"queue", "--json", "--mount", mnt}));
    for (const auto& row : q["rows"])
      if (row["key"] == "held.txt") return true;
    return false;
  }));
  const auto table = ctl({"queue", "--mount", mnt});
  CHECK_THAT(table.out, Catch::Contains("SEQ") && Catch::Contains("held.txt"));
  std::this_thread::sleep_for(1s);
  CHECK_FALSE(f.object("held.txt").has_value());

  const auto stuck = ctl({"flush", "--mount", mnt, "--timeout", "2s"});
  CHECK(stuck.exit_code == 1);
  CHECK(one_error_line(stuck));
  CHECK_THAT(stuck.err, Catch::Contains("paused"));

  REQUIRE(ctl({"resume", "--mount", mnt}).exit_code == 0);
  const auto flushed = ctl({"flush", (f.mnt / "held.txt").string(), "--timeout", "30s"});
  INFO(flushed.err);
  CHECK(flushed.exit_code == 0);
  CHECK_THAT(flushed.out, Catch::Contains("flushed"));
  CHECK(f.object_is("held.txt", "held"));
  const auto all = json_of(ctl({"flush", "--json", "--mount", mnt}));
  CHECK(all["flushed"] == true);
  CHECK(all["pending"] == 0);
  CHECK_THAT(ctl({"queue", "--mount", mnt}).out, Catch::Contains("journal is empty"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("autosyncctl unmount --wait flushes first, without it it warns", "[cli][ctl]") {
  CliFixture f;
  mount_with_daemon(f);
  write_file(f.mnt / "last.txt", "last");
  const auto waited = ctl({"unmount", f.mnt.string(), "--wait", "--timeout", "30s"});
  INFO(waited.err);
  CHECK(waited.exit_code == 0);
  CHECK_FALSE(f.mounted());
  CHECK(f.object_is("last.txt", "last"));

  CliFixture g;
  mount_with_daemon(g);
  REQUIRE(ctl({"pause", "--mount", g.mnt.string()}).exit_code == 0);
  write_file(g.mnt / "later.txt", "later");
  REQUIRE(eventually([&] {
    return json_of(ctl(
               {"flush", "--json", "--mount", g.mnt.string(), "--timeout", "0"}))["pending"] == 1;
  }));
  const auto warned = ctl({"unmount", g.mnt.string()});
  CHECK(warned.exit_code == 0);
  CHECK_THAT(warned.err, Catch::Contains("pending"));
  CHECK_FALSE(g.mounted());
  // The daemon outlives the mount with the work: resume it through the cache directory.
  REQUIRE(ctl({"resume", "--cache", g.cache.string()}).exit_code == 0);
  CHECK(eventually([&] { return g.object_is("later.txt", "later"); }));
}

TEST_CASE("autosyncctl errors - no daemon is exit 3, bad usage 2, bad paths 1", "[cli][ctl]") {
  CliFixture f;
  std::filesystem::create_directories(f.cache);
  for (const auto& cmd : {"status", "queue", "flush", "pause", "resume"}) {
    const auto none = ctl({cmd, "--cache", f.cache.string()});
    INFO(cmd << ": " << none.err);
    CHECK(none.exit_code == 3);
    CHECK(one_error_line(none));
    CHECK_THAT(none.err, Catch::Contains("not running"));
  }
  CHECK(ctl({"frobnicate"}).exit_code == 2);
  CHECK(ctl({}).exit_code == 2);
  CHECK(ctl({"status", "--bogus"}).exit_code == 2);
  CHECK(ctl({"pin"}).exit_code == 2);
  CHECK(ctl({"flush", "--timeout", "soon", "--cache", f.cache.string()}).exit_code == 2);
  const auto help = ctl({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("flush") && Catch::Contains("Exit codes"));

  const auto not_mount = ctl({"status", "--mount", f.mnt.string()});
  CHECK(not_mount.exit_code == 1);
  CHECK(one_error_line(not_mount));
  CHECK_THAT(not_mount.err, Catch::Contains("not an autosync mount"));
  const auto no_cache = ctl({"status", "--cache", (f.tmp.path() / "nope").string()});
  CHECK(no_cache.exit_code == 1);
  CHECK(one_error_line(no_cache));

  mount_with_daemon(f);
  const auto outside = ctl({"flush", "/etc/passwd", "--mount", f.mnt.string()});
  CHECK(outside.exit_code == 1);
  CHECK(one_error_line(outside));
  CHECK_THAT(outside.err, Catch::Contains("not inside"));

  // Another user (nobody), for a command that asks the daemon and one that reads the index.
  // autosyncctl is copied where nobody may run it: the build tree may be private.
  const auto open_dir = f.tmp.path().parent_path() / ("ctl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(open_dir);
  std::filesystem::permissions(open_dir, std::filesystem::perms(0755));
  std::filesystem::copy_file(program("autosyncctl"), open_dir / "autosyncctl",
                             std::filesystem::copy_options::overwrite_existing);
  for (const auto& cmd : {"status", "fsck"}) {
    const auto denied =
        run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             (open_dir / "autosyncctl").string(), cmd, "--cache", f.cache.string()});
    INFO(cmd << ": " << denied.err);
    CHECK(denied.exit_code == 1);
    CHECK(one_error_line(denied));
    CHECK_THAT(denied.err, Catch::Contains("permission denied"));
  }
  std::filesystem::remove_all(open_dir);
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("autosyncctl check asks the store and says what is wrong", "[cli][ctl]") {
  CliFixture f;
  const auto ok = ctl({"check", f.remote()});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::StartsWith("ok: "));
  const auto json = json_of(ctl({"check", "--json", f.remote(), "-o", f.cache_option()}));
  CHECK(json["ok"] == true);
  const auto bad_url = ctl({"check", "ftp://nowhere"});
  CHECK(bad_url.exit_code == 2);
  CHECK(one_error_line(bad_url));
  const auto bad_key = ctl({"check", f.remote(), "-o", "no.such.key=1"});
  CHECK(bad_key.exit_code == 2);
  CHECK(one_error_line(bad_key));
  const auto missing = ctl({"check", "file://" + (f.tmp.path() / "no-bucket").string()});
  CHECK(missing.exit_code == 1);
  CHECK(one_error_line(missing));
}
