// System-call shorthands for tests that go through a kernel mount: each fails the test
// (Catch2 REQUIRE) when a call that must work does not, and says which errno it got.
// Shared by tests/fuse (a MemoryVfs mount) and tests/stack (the whole stack).
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/unique_fd.h"

namespace autosync::testing {

// Opens `path`; fails the test when the open fails.
UniqueFd open_or_fail(const std::filesystem::path& path, int flags, mode_t mode = 0644);
// Writes all of `data` at `offset`; fails the test otherwise.
void pwrite_all(int fd, std::string_view data, off_t offset);
// Reads up to `size` bytes at `offset`.
std::string pread_some(int fd, size_t size, off_t offset);
// The file's whole content, read through a fresh descriptor.
std::string read_file(const std::filesystem::path& path);
// The file's bytes, or nullopt when it does not exist (or vanishes while it is read: a
// daemon or another client may remove or rename it at any moment).
std::optional<std::string> read_if_there(const std::filesystem::path& path);
// The file's bytes, or the errno of the open or read that failed.
struct WholeRead {
  std::optional<std::string> bytes;
  int error = 0;
};
WholeRead read_whole(const std::filesystem::path& path);
// Whether `path` exists (stat succeeds).
bool present(const std::filesystem::path& path);
// Creates (or truncates) `path` with `data` and closes it.
void write_file(const std::filesystem::path& path, std::string_view data);
// "ENOENT" for ENOENT: errors compare readably in test output.
std::string errno_name(int err);

}  // namespace autosync::testing

// Checks that `call` failed (-1) with errno `expected`.
#define CHECK_ERRNO(call, expected)                            \
  do {                                                         \
    errno = 0;                                                 \
    const auto check_errno_rc_ = (call);                       \
    const int check_errno_err_ = errno;                        \
    CHECK(check_errno_rc_ == -1);                              \
    CHECK(::autosync::testing::errno_name(check_errno_err_) == \
          ::autosync::testing::errno_name(expected));          \
  } while (false)
