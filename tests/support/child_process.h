// run_in_child: runs a piece of a test in a forked child process (to test locking across
// processes, or file permissions as an unprivileged user) and collects what it wrote.
//
// The child leaves with _exit, so it never runs the parent's destructors (closing the
// parent's SQLite connections in a child would break their locks). The child must open its
// own handles and must not use Catch2 assertions: an exception ends it with exit code 4.
// Fork only while the test has no other threads: one could hold a lock at the fork.
#pragma once

#include <functional>
#include <string>

namespace autosync::testing {

struct ChildReport {
  int exit_code = -1;  // -1: the child could not be started; 128+N: killed by signal N
  std::string output;  // what `body` returned
};

struct ChildOptions {
  // Run the child as the unprivileged user "nobody" (uid/gid 65534) when we are root, so
  // file permissions apply to it (exit code 3 when dropping fails).
  bool drop_privileges = false;
};

// Runs `body` in a forked child while the parent runs `meanwhile` (if given), so the two
// processes work at the same time; returns once the child has exited.
ChildReport run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile = {}, ChildOptions options = {});

}  // namespace autosync::testing
