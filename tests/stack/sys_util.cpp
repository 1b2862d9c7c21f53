#include "tests/stack/sys_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

namespace autosync::testing {

std::string pattern(size_t size, unsigned seed) {
  std::string out(size, '\0');
  uint32_t x = seed * 2654435761U + 1;
  for (auto& c : out) {
    x = x * 1664525U + 1013904223U;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

struct stat stat_or_fail(const std::filesystem::path& path) {
  struct stat st {};
  INFO("stat " << path);
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st;
}

struct stat lstat_or_fail(const std::filesystem::path& path) {
  struct stat st {};
  INFO("lstat " << path);
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

std::vector<std::string> list_dir(const std::filesystem::path& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  INFO("opendir " << path << ": " << errno_name(errno));
  REQUIRE(dir != nullptr);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace autosync::testing
