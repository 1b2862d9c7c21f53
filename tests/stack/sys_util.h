// Syscall shorthands for the stack tests: they go through the kernel to the mount, and fail
// the test (REQUIRE) when a call that must work does not.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/unique_fd.h"

namespace autosync::testing {

// Opens `path`; fails the test when the open fails.
UniqueFd open_or_fail(const std::filesystem::path& path, int flags, mode_t mode = 0644);
void pwrite_all(int fd, std::string_view data, off_t offset);
std::string pread_some(int fd, size_t size, off_t offset);
// The whole file, read through a fresh descriptor.
std::string read_file(const std::filesystem::path& path);
// Creates (or truncates) `path` with `data` and closes it.
void write_file(const std::filesystem::path& path, std::string_view data);
// `size` bytes of a pattern that depends on `seed` (so misplaced blocks show).
std::string pattern(size_t size, unsigned seed);
// stat(2) / lstat(2); fails the test when the call fails.
struct stat stat_or_fail(const std::filesystem::path& path);
struct stat lstat_or_fail(const std::filesystem::path& path);
// Names in the directory (without . and ..), sorted.
std::vector<std::string> list_dir(const std::filesystem::path& path);
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
