#include "tests/support/child_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string_view>

#include "core/base/unique_fd.h"

namespace autosync::testing {
namespace {

constexpr uid_t kNobody = 65534;

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string read_all(int fd) {
  std::string out;
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) return out;
    out.append(buf.data(), static_cast<size_t>(n));
  }
}

[[noreturn]] void child_main(const std::function<std::string()>& body, int out,
                             const ChildOptions& options) {
  if (options.drop_privileges && ::geteuid() == 0 &&
      (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
    ::_exit(3);
  }
  try {
    write_all(out, body());
  } catch (...) {
    ::_exit(4);  // a Catch2 assertion must not unwind into the child's copy of the runner
  }
  ::_exit(0);
}

}  // namespace

ChildReport run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile, ChildOptions options) {
  std::array<int, 2> fds{};
  if (::pipe(fds.data()) != 0) return {};
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return {};
  if (pid == 0) {
    read_end.reset();
    child_main(body, write_end.get(), options);
  }
  write_end.reset();
  if (meanwhile) meanwhile();
  ChildReport report;
  report.output = read_all(read_end.get());
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return {};
  report.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return report;
}

}  // namespace autosync::testing
