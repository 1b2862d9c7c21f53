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

#include "tests/support/syscalls.h"

namespace autosync::testing {

// `size` bytes of a pattern that depends on `seed` (so misplaced blocks show).
std::string pattern(size_t size, unsigned seed);
// stat(2) / lstat(2); fails the test when the call fails.
struct stat stat_or_fail(const std::filesystem::path& path);
struct stat lstat_or_fail(const std::filesystem::path& path);
// Names in the directory (without . and ..), sorted.
std::vector<std::string> list_dir(const std::filesystem::path& path);

}  // namespace autosync::testing
