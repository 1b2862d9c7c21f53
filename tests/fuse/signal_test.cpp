// A served mount in another process (fuse_mount_helper): SIGTERM ends run() and the
// process unmounts on its way out; a SIGKILLed process leaves no mount behind when it
// mounted with auto_unmount.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/fuse/mount_fixture.h"

extern char** environ;

namespace autosync::testing {
namespace {

using std::chrono::steady_clock;

// The helper process; killed and reaped on scope exit if the test did not.
class Helper {
 public:
  Helper(const std::filesystem::path& mountpoint, bool auto_unmount) {
    std::vector<std::string> words = {AUTOSYNC_FUSE_MOUNT_HELPER, mountpoint.string()};
    if (auto_unmount) words.emplace_back("--auto-unmount");
    std::vector<char*> argv;
    argv.reserve(words.size() + 1);
    for (auto& word : words)
      argv.push_back(word.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~Helper() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  bool started() const { return pid_ > 0; }
  bool running() {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // The wait status, once the process has ended.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// Polls `condition` for up to ten seconds.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_CASE("SIGTERM ends run() and the daemon unmounts", "[session][signal]") {
  TempDir dir;
  Helper helper(dir.path(), false);
  REQUIRE(helper.started());
  REQUIRE(eventually([&] { return is_mounted(dir.path()) || !helper.running(); }));
  REQUIRE(is_mounted(dir.path()));
  write_file(dir.path() / "f", "served by the helper");
  CHECK(read_file(dir.path() / "f") == "served by the helper");

  helper.signal(SIGTERM);
  const int status = helper.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(is_mounted(dir.path()));
}

TEST_CASE("a killed daemon that mounted with auto_unmount leaves no mount", "[session][signal]") {
  TempDir dir;
  Helper helper(dir.path(), true);
  REQUIRE(helper.started());
  REQUIRE(eventually([&] { return is_mounted(dir.path()) || !helper.running(); }));
  REQUIRE(is_mounted(dir.path()));
  helper.signal(SIGKILL);
  helper.wait();
  CHECK(eventually([&] { return !is_mounted(dir.path()); }));
}

}  // namespace
}  // namespace autosync::testing
