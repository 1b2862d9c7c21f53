#include "tests/support/syscalls.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

namespace autosync::testing {

UniqueFd open_or_fail(const std::filesystem::path& path, int flags, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, mode));
  INFO("open " << path << ": " << errno_name(errno));
  REQUIRE(fd.valid());
  return fd;
}

void pwrite_all(int fd, std::string_view data, off_t offset) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    INFO("pwrite: " << errno_name(errno));
    REQUIRE(n > 0);
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
}

std::string pread_some(int fd, size_t size, off_t offset) {
  std::string out(size, '\0');
  const ssize_t n = ::pread(fd, out.data(), size, offset);
  INFO("pread: " << errno_name(errno));
  REQUIRE(n >= 0);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  UniqueFd fd = open_or_fail(path, O_RDONLY);
  std::string out;
  std::vector<char> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    INFO("read " << path << ": " << errno_name(errno));
    REQUIRE(n >= 0);
    if (n == 0) return out;
    out.append(buf.data(), static_cast<size_t>(n));
  }
}

std::optional<std::string> read_if_there(const std::filesystem::path& path) {
  return read_whole(path).bytes;
}

WholeRead read_whole(const std::filesystem::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {.bytes = std::nullopt, .error = errno};
  std::string out;
  std::array<char, 8192> buf{};
  for (ssize_t n; (n = ::read(fd.get(), buf.data(), buf.size())) != 0;) {
    if (n < 0) return {.bytes = std::nullopt, .error = errno};
    out.append(buf.data(), static_cast<size_t>(n));
  }
  return {.bytes = std::move(out), .error = 0};
}

bool present(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void write_file(const std::filesystem::path& path, std::string_view data) {
  UniqueFd fd = open_or_fail(path, O_WRONLY | O_CREAT | O_TRUNC);
  pwrite_all(fd.get(), data, 0);
  REQUIRE(fd.close("close").is_ok());
}

std::string errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : std::to_string(err);
}

}  // namespace autosync::testing
