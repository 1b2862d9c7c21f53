#include "tests/unit/db/db_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/base/unique_fd.h"

namespace autosync::db::testing {

Database open_or_fail(const std::filesystem::path& file, const OpenOptions& options) {
  auto db = Database::open(file, options);
  INFO(db.status().to_string());
  REQUIRE(db.is_ok());
  return std::move(db).value();
}

int64_t count_rows(Database& db, std::string_view table) {
  auto stmt = db.prepare("SELECT count(*) FROM " + std::string(table));
  INFO(stmt.status().to_string());
  REQUIRE(stmt.is_ok());
  auto row = stmt->step();
  REQUIRE(row.is_ok());
  REQUIRE(*row);
  return stmt->int64(0);
}

std::string describe(const Status& status) {
  return std::string(to_string(status.kind())) + "|" + status.message();
}

namespace {

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

ChildReport fork_and_run(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile, bool drop_privileges) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    read_end.reset();
    if (drop_privileges && ::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      ::_exit(3);
    }
    // A Catch2 assertion must not unwind into the copy of the test runner in the child.
    try {
      write_all(write_end.get(), body());
    } catch (...) {
      ::_exit(4);
    }
    ::_exit(0);
  }
  write_end.reset();
  if (meanwhile) meanwhile();
  ChildReport report;
  report.output = read_all(read_end.get());
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  report.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return report;
}

}  // namespace

ChildReport run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile) {
  return fork_and_run(body, meanwhile, false);
}

ChildReport run_as_unprivileged(const std::function<std::string()>& body) {
  return fork_and_run(body, {}, true);
}

}  // namespace autosync::db::testing
