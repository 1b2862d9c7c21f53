// Conflicts through the kernel: a file changed on the store behind the mount's back while it
// is edited in the mount ends with both versions, on the server and in the mount (the
// default keep-both policy: the remote version keeps the name, the local one becomes a
// conflict copy).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

// Longer than the mount's entry and attribute timeouts (1 s): the kernel asks again. (The
// stack mount tells the kernel nothing: its pool publishes to no one.)
void wait_for_kernel_caches() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
}

TEST_CASE("an edit that meets a remote change keeps both versions, there and here") {
  const TestDir dir = fresh_dir("conflict");
  write_file(dir.path / "report.txt", "first version");
  flush();
  remote_put(dir.key + "report.txt", "their version, made elsewhere");

  write_file(dir.path / "report.txt", "our edit");
  flush();  // the conflict is resolved, not failed: flush fails on failed rows

  std::vector<std::string> keys = remote_keys_under(dir);
  REQUIRE(keys.size() == 2);
  const std::string copy_key = keys[0] == dir.key + "report.txt" ? keys[1] : keys[0];
  const std::string copy_name = copy_key.substr(dir.key.size());
  CHECK_THAT(copy_name, Catch::StartsWith("report.conflict-") && Catch::EndsWith(".txt"));
  CHECK(remote_body(dir.key + "report.txt") == "their version, made elsewhere");
  CHECK(remote_body(copy_key) == "our edit");

  wait_for_kernel_caches();
  CHECK(list_dir(dir.path) == std::vector<std::string>{copy_name, "report.txt"});
  CHECK(read_file(dir.path / "report.txt") == "their version, made elsewhere");
  CHECK(read_file(dir.path / copy_name) == "our edit");
  CHECK(stat_or_fail(dir.path / "report.txt").st_size == 29);

  // The copy is a file like any other: its next edit goes to its own key.
  write_file(dir.path / copy_name, "our edit, again");
  flush();
  CHECK(remote_body(copy_key) == "our edit, again");
  CHECK(remote_body(dir.key + "report.txt") == "their version, made elsewhere");
}

TEST_CASE("a file deleted in the mount but edited on the store comes back") {
  const TestDir dir = fresh_dir("conflict-delete");
  write_file(dir.path / "kept.txt", "ours");
  flush();
  remote_put(dir.key + "kept.txt", "edited elsewhere");
  REQUIRE(::unlink((dir.path / "kept.txt").c_str()) == 0);
  flush();
  CHECK(remote_body(dir.key + "kept.txt") == "edited elsewhere");
  wait_for_kernel_caches();
  CHECK(read_file(dir.path / "kept.txt") == "edited elsewhere");
}

}  // namespace
}  // namespace autosync::testing
