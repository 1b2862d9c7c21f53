// Helpers for the core/index unit tests: an index in a temp directory with a fake clock,
// shorthands for making files and directories, and running a piece of a test in a forked
// child process.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/index/index.h"
#include "tests/support/temp_dir.h"

namespace autosync::index::testing {

// A test clock: starts at 1,000 s and only moves when told.
class FakeClock {
 public:
  int64_t now() const { return now_.load(); }
  void advance(int64_t ns) { now_ += ns; }
  Clock as_clock() {
    return [this] { return now(); };
  }

 private:
  std::atomic<int64_t> now_{1'000'000'000'000};
};

struct IndexFixture {
  IndexFixture();
  // Closes and reopens the index file (all state must survive).
  void reopen();
  IndexOptions options();

  autosync::testing::TempDir dir;
  std::filesystem::path file;
  FakeClock clock;
  std::unique_ptr<Index> index;

  // create() with REQUIREd success.
  InodeRecord mkfile(Ino parent, std::string_view name, uint64_t size = 0);
  InodeRecord mkdir(Ino parent, std::string_view name);
};

inline NewInode file_spec(uint64_t size = 0) {
  NewInode n;
  n.mode = S_IFREG | 0644;
  n.uid = 1000;
  n.gid = 1000;
  n.size = size;
  return n;
}
inline NewInode dir_spec() {
  NewInode n;
  n.mode = S_IFDIR | 0755;
  n.uid = 1000;
  n.gid = 1000;
  return n;
}

// Runs `body` in a forked child while the parent runs `meanwhile`; returns the child's
// output, or "exit <code>" when it did not exit 0. The child must open its own Index and
// not use Catch2 assertions. Fork only while the test has no other threads.
std::string run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile);

}  // namespace autosync::index::testing
