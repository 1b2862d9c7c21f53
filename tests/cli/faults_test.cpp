// Network faults under the real programs: autosyncfs and the autosyncd it starts run with
// AUTOSYNC_TEST_FAULTS (backends/decorators/fault_spec.h), which puts the fault decorator
// under the retry layer. Throttling, resets and slow answers are retried until the files
// arrive; a permanent error is told (an `error` event, `autosyncctl status`), its journal row
// stays, failed, and the file stays in the mount.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/cli/ctl_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;

namespace {

std::string log_of(const CliFixture& f, const char* name) {
  std::ifstream in(f.cache / name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first event of kind "error" among `watch --json`'s lines (null when none).
nlohmann::json first_error_event(const std::string& lines) {
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    auto event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_discarded() && event.value("kind", "") == "error") return event;
  }
  return {};
}

}  // namespace

TEST_CASE("throttled, reset and slow puts are retried until every file is on the store",
          "[cli][faults]") {
  CliFixture f;
  // f0.txt's first five puts reset: its upload spends the retry layer's five attempts and
  // goes back to the journal, to be tried again later. The first three puts of any file are
  // throttled, a third of all puts reset at random, and every put answers 200 ms late.
  const std::map<std::string, std::string> faults = {
      {"AUTOSYNC_TEST_FAULTS",
       "seed=5;op=put,key=f0.,calls=1+2+3+4+5,error=reset;op=put,calls=1+2+3,error=throttled;"
       "op=put,p=0.3,error=reset;op=put,p=1,delay=200ms"}};
  const auto mounted = f.mount({"-o", "retry.initial_delay=20ms,retry.max_delay=100ms"}, faults);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return ctl({"status", "--mount", f.mnt.string()}).exit_code == 0; }));
  for (int i = 0; i < 8; ++i)
    write_file(f.mnt / ("f" + std::to_string(i) + ".txt"), "content " + std::to_string(i));

  const auto flushed = ctl({"flush", "--mount", f.mnt.string(), "--timeout", "60s"});
  INFO(flushed.out << flushed.err);
  CHECK(flushed.exit_code == 0);
  for (int i = 0; i < 8; ++i)
    CHECK(f.object_is("f" + std::to_string(i) + ".txt", "content " + std::to_string(i)));
  const auto queue = json_of(ctl({"queue", "--json", "--mount", f.mnt.string()}));
  CHECK(queue["total"]["failed"] == 0);
  // f0.txt's upload did go back to the journal with the injected error.
  CHECK_THAT(log_of(f, "autosyncd.log"),
             Catch::Contains("connection reset (injected)") && Catch::Contains("retry in"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("reads through the mount survive reset, cut-off and slow downloads and listings",
          "[cli][faults]") {
  CliFixture f;
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 26);
  std::filesystem::create_directories(f.bucket / "d");
  write_file(f.bucket / "d/big.bin", big);
  write_file(f.bucket / "d/small.txt", "small");
  // The first get, and a fifth of the others, deliver part of the body and then reset (eight
  // attempts make a read that fails them all unlikely); the first two listings are
  // throttled; every get and list answers 100 ms late.
  const auto mounted =
      f.mount({"-o", "retry.max_attempts=8,retry.initial_delay=20ms,retry.max_delay=100ms"},
              {{"AUTOSYNC_TEST_FAULTS",
                "seed=3;op=get,calls=1,error=reset,timing=midbody;op=get,p=0.2,error=reset,"
                "timing=midbody;op=list,calls=1+2,error=throttled;op=get+list,p=1,delay=100ms"}});
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  CHECK(read_file(f.mnt / "d/big.bin") == big);
  CHECK(read_file(f.mnt / "d/small.txt") == "small");
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a permanent store error is an error event and the status's last error, never a drop",
          "[cli][faults]") {
  CliFixture f;
  const auto mounted =
      f.mount({}, {{"AUTOSYNC_TEST_FAULTS", "op=put,key=secret-,p=1,error=denied"}});
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return ctl({"status", "--mount", f.mnt.string()}).exit_code == 0; }));
  write_file(f.mnt / "open.txt", "not affected");
  REQUIRE(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "20s"}).exit_code == 0);

  // A subscriber misses what is published before it is connected: write refused files until
  // the watcher has seen three events. open.txt's "uploaded" may still be one of them (it is
  // published just after the flush can see the row done); the others can only be errors.
  Command watch({program("autosyncctl").string(), "watch", "--cache", f.cache.string(), "--json",
                 "--count", "3", "--timeout", "30s"});
  std::atomic<bool> seen{false};
  std::atomic<int> written{0};
  std::jthread writer([&] {
    for (int i = 0; i < 100 && !seen.load(); ++i) {
      write_file(f.mnt / ("secret-" + std::to_string(i) + ".txt"), "kept here");
      written = i + 1;
      std::this_thread::sleep_for(200ms);
    }
  });
  const auto watched = watch.wait(30s);
  seen = true;
  writer.join();
  INFO(watched.err);
  REQUIRE(watched.exit_code == 0);
  const auto event = first_error_event(watched.out);
  CHECK(event["kind"] == "error");
  CHECK(std::string(event["path"]).starts_with("secret-"));
  CHECK_THAT(std::string(event["detail"]), Catch::Contains("access denied (injected)"));

  // Every refused file is still in the mount and in the journal, failed; none reached the
  // store; the others did.
  const int files = written.load();
  nlohmann::json queue;
  CHECK(eventually([&] {
    queue = json_of(ctl({"queue", "--json", "--mount", f.mnt.string()}));
    return queue["total"]["failed"] == files;
  }));
  for (const auto& row : queue["rows"]) {
    CHECK(row["state"] == "failed");
    CHECK_THAT(std::string(row["last_error"]), Catch::Contains("access denied"));
  }
  for (int i = 0; i < files; ++i) {
    const std::string name = "secret-" + std::to_string(i) + ".txt";
    CHECK(read_file(f.mnt / name) == "kept here");
    CHECK_FALSE(f.object(name).has_value());
  }
  const auto status = json_of(ctl({"status", "--json", "--mount", f.mnt.string()}));
  CHECK_THAT(std::string(status["last_error"]), Catch::Contains("access denied (injected)"));
  const auto table = ctl({"status", "--mount", f.mnt.string()});
  CHECK_THAT(table.out, Catch::Contains("access denied (injected)"));
  // flush says so too.
  CHECK(ctl({"flush", "--mount", f.mnt.string(), "--timeout", "10s"}).exit_code == 1);
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a multipart create whose answer is lost leaves no upload behind on the store",
          "[cli][faults]") {
  CliFixture f;
  // The store makes the first upload, but its answer never arrives: the retry layer creates
  // a second one, and the daemon must abort the first, which it never heard of.
  const std::map<std::string, std::string> faults = {
      {"AUTOSYNC_TEST_FAULTS", "op=create_multipart,calls=1,error=reset,timing=after"}};
  const auto mounted = f.mount({"-o",
                                "retry.initial_delay=20ms,retry.max_delay=100ms,"
                                "sync.multipart_threshold=256K,sync.part_size=64K"},
                               faults);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return ctl({"status", "--mount", f.mnt.string()}).exit_code == 0; }));
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('A' + i % 53);
  write_file(f.mnt / "big.bin", big);

  const auto flushed = ctl({"flush", "--mount", f.mnt.string(), "--timeout", "60s"});
  INFO(flushed.out << flushed.err);
  CHECK(flushed.exit_code == 0);
  CHECK(f.object_is("big.bin", big));
  // The local backend stages each upload in progress as a directory here.
  const auto staged = f.bucket / ".autosync-tmp" / "uploads";
  CHECK((!std::filesystem::exists(staged) || std::filesystem::is_empty(staged)));
  CHECK_THAT(log_of(f, "autosyncd.log"), Catch::Contains("aborting multipart upload"));
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("a bad AUTOSYNC_TEST_FAULTS is refused in one line before mounting", "[cli][faults]") {
  CliFixture f;
  const auto refused = f.mount({}, {{"AUTOSYNC_TEST_FAULTS", "op=put,error=reset"}});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err ==
        "autosyncfs: AUTOSYNC_TEST_FAULTS: rule 1: give calls= or p=, one of them "
        "(see autosyncfs --help)\n");
  CHECK_FALSE(f.mounted());
}
