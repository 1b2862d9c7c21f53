#include "tests/unit/index/index_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/base/unique_fd.h"

namespace autosync::index::testing {

IndexFixture::IndexFixture() : file(dir.path() / "index.db") {
  reopen();
}

IndexOptions IndexFixture::options() {
  IndexOptions opts;
  opts.clock = clock.as_clock();
  return opts;
}

void IndexFixture::reopen() {
  index.reset();
  auto opened = Index::open(file, options());
  INFO(opened.status().to_string());
  REQUIRE(opened.is_ok());
  index = std::move(opened).value();
}

InodeRecord IndexFixture::mkfile(Ino parent, std::string_view name, uint64_t size) {
  auto rec = index->create(parent, name, file_spec(size));
  INFO(rec.status().to_string());
  REQUIRE(rec.is_ok());
  return *rec;
}

InodeRecord IndexFixture::mkdir(Ino parent, std::string_view name) {
  auto rec = index->create(parent, name, dir_spec());
  INFO(rec.status().to_string());
  REQUIRE(rec.is_ok());
  return *rec;
}

std::string run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    read_end.reset();
    int code = 0;
    try {
      const std::string out = body();
      std::string_view rest = out;
      while (!rest.empty()) {
        const ssize_t n = ::write(write_end.get(), rest.data(), rest.size());
        if (n <= 0) break;
        rest.remove_prefix(static_cast<size_t>(n));
      }
    } catch (...) {
      code = 4;
    }
    ::_exit(code);  // never run the parent's destructors in the child
  }
  write_end.reset();
  if (meanwhile) meanwhile();
  std::string output;
  char buf[4096];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) > 0;) {
    output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "exit " + std::to_string(status);
  return output;
}

}  // namespace autosync::index::testing
