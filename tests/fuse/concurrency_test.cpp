// Several threads at once through the kernel: writers on different files, and creators in
// one directory.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

constexpr int kThreads = 4;

std::string block_for(int thread, int block, size_t size) {
  std::string out(size, static_cast<char>('A' + thread));
  const std::string tag = fmt::format("[t{} b{}]", thread, block);
  out.replace(0, tag.size(), tag);
  return out;
}

TEST_CASE("4 threads write different files at once", "[concurrency]") {
  const auto dir = fresh_dir("writers");
  constexpr int kBlocks = 64;
  constexpr size_t kBlock = size_t{16} * 1024;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      UniqueFd fd(::open((dir / fmt::format("w{}", t)).c_str(), O_WRONLY | O_CREAT, 0644));
      if (!fd.valid()) return void(++failures);
      // Out of order on purpose: even blocks first, then odd ones.
      for (int pass = 0; pass < 2; ++pass) {
        for (int b = pass; b < kBlocks; b += 2) {
          const std::string data = block_for(t, b, kBlock);
          const auto offset = static_cast<off_t>(static_cast<size_t>(b) * kBlock);
          if (::pwrite(fd.get(), data.data(), data.size(), offset) != ssize_t{kBlock}) ++failures;
        }
      }
      if (!fd.close("close").is_ok()) ++failures;
    });
  }
  for (auto& thread : threads)
    thread.join();
  REQUIRE(failures == 0);
  for (int t = 0; t < kThreads; ++t) {
    std::string expected;
    for (int b = 0; b < kBlocks; ++b)
      expected += block_for(t, b, kBlock);
    const auto file = dir / fmt::format("w{}", t);
    CHECK(read_file(file) == expected);
    CHECK(content_in_vfs(file) == expected);
  }
}

TEST_CASE("4 threads create files in one directory", "[concurrency]") {
  const auto dir = fresh_dir("creators");
  constexpr int kPerThread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto path = dir / fmt::format("t{}-{}", t, i);
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));
        if (!fd.valid() || ::write(fd.get(), path.c_str(), 3) != 3) ++failures;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  REQUIRE(failures == 0);
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir))
    ++count;
  CHECK(count == size_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace autosync::testing
