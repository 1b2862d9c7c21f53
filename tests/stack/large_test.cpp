// Sizes and concurrency: a file past the multipart threshold goes up in parts and arrives
// byte for byte; several threads writing different files at once all arrive intact.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

TEST_CASE("a file larger than the multipart threshold arrives byte for byte", "[large]") {
  const auto dir = fresh_dir("multipart");
  const std::string data = pattern((20 << 20) + 12345, 3);  // ~20 MiB, not a part multiple
  REQUIRE(data.size() > stack_transfer_options().multipart_threshold);
  const uint64_t parts_before = main_mount().store().counts().parts;
  {
    UniqueFd fd = open_or_fail(dir.path / "big.bin", O_WRONLY | O_CREAT);
    constexpr size_t kChunk = 1 << 20;
    for (size_t at = 0; at < data.size(); at += kChunk) {
      pwrite_all(fd.get(), std::string_view(data).substr(at, kChunk), static_cast<off_t>(at));
    }
  }
  flush();
  const auto body = remote_body(dir.key + "big.bin");
  REQUIRE(body.has_value());
  CHECK(body->size() == data.size());
  CHECK((*body == data));  // one CHECK: Catch would print 20 MiB on a mismatch of the strings
  const uint64_t parts = main_mount().store().counts().parts - parts_before;
  CHECK(parts == 5);  // 4 parts of 5 MiB and the rest
  CHECK((read_file(dir.path / "big.bin") == data));
}

TEST_CASE("concurrent writers of different files", "[concurrency]") {
  const auto dir = fresh_dir("concurrent");
  constexpr int kWriters = 6;
  constexpr size_t kSize = 600 * 1024;
  std::vector<std::string> errors(kWriters);
  {
    std::vector<std::jthread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back([&, i] {
        // No Catch assertions off the main thread: errors are collected instead.
        const auto path = dir.path / ("file-" + std::to_string(i));
        const std::string data = pattern(kSize, 100 + i);
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        if (!fd.valid()) {
          errors[i] = "open: " + errno_name(errno);
          return;
        }
        for (size_t at = 0; at < kSize; at += 32 * 1024) {
          const size_t n = std::min<size_t>(32 * 1024, kSize - at);
          if (::pwrite(fd.get(), data.data() + at, n, static_cast<off_t>(at)) !=
              static_cast<ssize_t>(n)) {
            errors[i] = "pwrite: " + errno_name(errno);
            return;
          }
        }
        if (!fd.close("close").is_ok()) errors[i] = "close failed";
      });
    }
  }
  for (int i = 0; i < kWriters; ++i) {
    INFO("writer " << i);
    CHECK(errors[i].empty());
  }
  flush();
  for (int i = 0; i < kWriters; ++i) {
    INFO("file-" << i);
    const auto name = "file-" + std::to_string(i);
    const std::string expected = pattern(kSize, 100 + i);
    CHECK(read_file(dir.path / name) == expected);
    CHECK(remote_body(dir.key + name) == expected);
  }
}

}  // namespace
}  // namespace autosync::testing
