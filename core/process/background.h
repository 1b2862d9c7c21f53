// Background: a daemon's start-up, seen by its caller as one process.
//
//   auto bg = Background::detach();   // forks; only the child returns
//   ... open the cache, check the store, mount: errors still reach the terminal ...
//   bg->ready(log_file);              // the parent now exits 0; our output goes to the log
//
// The parent waits until the child says ready() (exit 0), or exits or dies first (the
// parent then exits with the child's code: the child has already printed why), so
// `autosyncfs ...` in a script or /etc/fstab fails or succeeds like a foreground command.
// detach() must be called before any thread exists (fork keeps only the calling thread).
// Move-only; used by one thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace autosync::process {

class Background {
 public:
  // `program` names us in the parent's message when the child dies without a word.
  static Result<Background> detach(std::string program);

  // Start-up succeeded: stdin from /dev/null, stdout and stderr appended to `log_file`, the
  // working directory "/", and the waiting parent exits 0.
  Status ready(const std::filesystem::path& log_file);

  Background(Background&&) noexcept = default;
  Background& operator=(Background&&) noexcept = default;

 private:
  explicit Background(UniqueFd to_parent) : to_parent_(std::move(to_parent)) {}
  UniqueFd to_parent_;
};

// Starts `argv` (argv[0] a path) as a daemon of its own: a new session, not our child (so
// never our zombie), stdin from /dev/null, stdout and stderr appended to `log_file`, our
// environment. kNotFound / kAccessDenied / kIo when the program cannot be executed.
Status spawn_daemon(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

// Points stdin at /dev/null and stdout/stderr at `log_file` (appending, created 0600).
Status redirect_output(const std::filesystem::path& log_file);

}  // namespace autosync::process
