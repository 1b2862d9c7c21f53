#include "core/process/background.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace autosync::process {
namespace {

constexpr char kReady = 'R';

struct Pipe {
  UniqueFd read_end, write_end;
};

Result<Pipe> make_pipe() {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC) != 0) return from_errno(errno, "pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

// The parent's side of detach(): wait for a word from the child, or for its end.
[[noreturn]] void wait_for_child(pid_t child, UniqueFd from_child, const std::string& program) {
  char word = 0;
  ssize_t n = 0;
  do {
    n = ::read(from_child.get(), &word, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1 && word == kReady) std::_Exit(0);
  int wait_status = 0;
  while (::waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
  }
  const int code = exit_code_of(wait_status);
  if (WIFSIGNALED(wait_status)) {
    std::fprintf(stderr, "%s: start-up died of signal %d (%s)\n", program.c_str(),
                 WTERMSIG(wait_status), ::strsignal(WTERMSIG(wait_status)));
  } else if (code == 0) {
    std::_Exit(0);  // ended cleanly before ready(): nothing to report
  }
  std::_Exit(code == 0 ? 1 : code);
}

// Between fork and exec only async-signal-safe calls: no allocation, no stdio.
[[noreturn]] void exec_in_grandchild(char* const* args, const char* log_file, int report_fd) {
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log = ::open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (null_fd < 0 || log < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 ||
      ::dup2(log, STDOUT_FILENO) < 0 || ::dup2(log, STDERR_FILENO) < 0) {
    const int err = errno;
    (void)!::write(report_fd, &err, sizeof(err));
    ::_exit(127);
  }
  // Nothing of ours leaks into the daemon: every descriptor past stderr closes on exec.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execv(args[0], args);
  const int err = errno;
  (void)!::write(report_fd, &err, sizeof(err));
  ::_exit(127);
}

}  // namespace

Result<Background> Background::detach(std::string program) {
  AUTOSYNC_ASSIGN_OR_RETURN(Pipe pipe, make_pipe());
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return from_errno(errno, "fork");
  if (child > 0) {
    pipe.write_end.reset();
    wait_for_child(child, std::move(pipe.read_end), program);
  }
  pipe.read_end.reset();
  if (::setsid() < 0) return from_errno(errno, "setsid");
  return Background(std::move(pipe.write_end));
}

Status Background::ready(const std::filesystem::path& log_file) {
  AUTOSYNC_RETURN_IF_ERROR(redirect_output(log_file));
  if (::chdir("/") != 0) return from_errno(errno, "chdir /");
  const char word = kReady;
  if (::write(to_parent_.get(), &word, 1) != 1) return from_errno(errno, "tell the parent");
  return to_parent_.close("pipe to the parent");
}

Status redirect_output(const std::filesystem::path& log_file) {
  UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_fd.valid()) return from_errno(errno, "open /dev/null");
  UniqueFd log(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!log.valid()) return from_errno(errno, "open log " + log_file.string());
  std::fflush(nullptr);
  if (::dup2(null_fd.get(), STDIN_FILENO) < 0 || ::dup2(log.get(), STDOUT_FILENO) < 0 ||
      ::dup2(log.get(), STDERR_FILENO) < 0) {
    return from_errno(errno, "redirect output to " + log_file.string());
  }
  return {};
}

Status spawn_daemon(const std::vector<std::string>& argv, const std::filesystem::path& log_file) {
  if (argv.empty()) return invalid("spawn: no program");
  // Built before fork: the children may only make async-signal-safe calls.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));  // NOLINT: execv's signature
  args.push_back(nullptr);
  const std::string log = log_file.string();
  AUTOSYNC_ASSIGN_OR_RETURN(Pipe pipe, make_pipe());
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return from_errno(errno, "fork");
  if (child == 0) {
    ::setsid();
    const pid_t grandchild = ::fork();
    if (grandchild == 0) exec_in_grandchild(args.data(), log.c_str(), pipe.write_end.get());
    ::_exit(grandchild < 0 ? 1 : 0);
  }
  pipe.write_end.reset();
  int wait_status = 0;
  while (::waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (exit_code_of(wait_status) != 0) return io_error("spawn " + argv[0] + ": fork failed");
  int err = 0;
  ssize_t n = 0;
  do {
    n = ::read(pipe.read_end.get(), &err, sizeof(err));  // EOF: execv succeeded
  } while (n < 0 && errno == EINTR);
  if (n == sizeof(err)) return from_errno(err, "start " + argv[0]);
  return {};
}

}  // namespace autosync::process
