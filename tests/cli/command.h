// Runs the programs under test as a user would: a child process with our environment plus
// some overrides, its output captured in files. Each Command is stopped (SIGKILL) by the
// destructor if still running, so a failing test leaves no process behind.
// Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace autosync::testing {

struct CommandResult {
  int exit_code = -1;  // 128+N when killed by signal N; -1 when it timed out
  std::string out, err;
};

class Command {
 public:
  // Starts `argv` (argv[0] a path). `env` entries override ours ("" value: unset).
  Command(std::vector<std::string> argv, const std::map<std::string, std::string>& env = {});
  ~Command();
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for the end (killing it after `timeout`) and collects its output.
  CommandResult wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  std::filesystem::path out_file_, err_file_;
  pid_t pid_ = -1;
};

// Starts and waits: the common case.
CommandResult run(std::vector<std::string> argv, const std::map<std::string, std::string>& env = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Whether `dir` is a mountpoint now, and of which file-system type ("fuse.autosyncfs").
std::optional<std::string> mount_type(const std::filesystem::path& dir);

// Polls `done` every 20 ms until it holds or `timeout` passes; returns its last answer.
template <typename Pred>
bool eventually(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace autosync::testing

#include "tests/cli/command_inl.h"
