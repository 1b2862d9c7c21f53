// spawn_daemon: the program runs detached with our environment and its output in the log;
// a program that cannot run is an error to the caller.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/process/background.h"
#include "tests/support/temp_dir.h"

using namespace autosync;
using autosync::testing::TempDir;

namespace {

std::string wait_for_file(const std::filesystem::path& file, std::string_view expected) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(file);
    std::stringstream buf;
    buf << in.rdbuf();
    text = buf.str();
    if (text.find(expected) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return text;
}

}  // namespace

TEST_CASE("spawn_daemon runs the program detached, output appended to the log", "[spawn]") {
  TempDir dir;
  const auto log = dir.path() / "d.log";
  std::ofstream(log) << "before\n";
  ::setenv("AUTOSYNC_SPAWN_TEST", "inherited", 1);
  REQUIRE(
      process::spawn_daemon({"/bin/sh", "-c",
                             "echo \"$AUTOSYNC_SPAWN_TEST $(ps -o sid= -p $$ | tr -d ' ') $$\"; "
                             "echo to-stderr >&2"},
                            log));
  const std::string text = wait_for_file(log, "to-stderr");
  CHECK(text.rfind("before\ninherited ", 0) == 0);
  CHECK(text.find("to-stderr") != std::string::npos);
  // A session of its own (not ours), which it does not lead: it can never get a terminal.
  std::istringstream lines(text);
  std::string before, word, sid, pid;
  std::getline(lines, before);
  lines >> word >> sid >> pid;
  CHECK(sid != std::to_string(::getsid(0)));
  CHECK(sid != pid);
}

TEST_CASE("spawn_daemon reports a program that cannot be executed", "[spawn]") {
  TempDir dir;
  const Status missing = process::spawn_daemon({"/nonexistent/autosyncd"}, dir.path() / "l");
  CHECK(missing.kind() == ErrorKind::kNotFound);
  const Status bad_log = process::spawn_daemon({"/bin/true"}, "/nonexistent/dir/log");
  CHECK_FALSE(bad_log.is_ok());
}
