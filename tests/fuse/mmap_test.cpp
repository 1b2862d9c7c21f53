// Memory-mapped files through the kernel: reading a mapping, and a shared writable mapping
// whose changes reach the file system through msync.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

// Unmaps on scope exit.
class Mapping {
 public:
  Mapping(int fd, size_t size, int prot)
      : size_(size), addr_(::mmap(nullptr, size, prot, MAP_SHARED, fd, 0)) {}
  ~Mapping() {
    if (valid()) ::munmap(addr_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  bool valid() const { return addr_ != MAP_FAILED; }
  char* data() const { return static_cast<char*>(addr_); }

 private:
  size_t size_;
  void* addr_;
};

std::string pattern(size_t size, char seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>(seed + i % 23);
  return out;
}

TEST_CASE("mmap reads the file's content", "[mmap]") {
  const auto file = fresh_dir("mmap_read") / "f";
  const std::string content = pattern(3 * 4096 + 100, 'a');
  write_file(file, content);
  UniqueFd fd = open_or_fail(file, O_RDONLY);
  Mapping map(fd.get(), content.size(), PROT_READ);
  REQUIRE(map.valid());
  CHECK(std::string(map.data(), content.size()) == content);
}

TEST_CASE("a shared writable mapping reaches the file after msync", "[mmap]") {
  const auto file = fresh_dir("mmap_write") / "f";
  const size_t size = size_t{2} * 4096;
  UniqueFd fd = open_or_fail(file, O_RDWR | O_CREAT);
  REQUIRE(::ftruncate(fd.get(), static_cast<off_t>(size)) == 0);
  const std::string written = pattern(size, 'A');
  {
    Mapping map(fd.get(), size, PROT_READ | PROT_WRITE);
    REQUIRE(map.valid());
    std::memcpy(map.data(), written.data(), size);
    REQUIRE(::msync(map.data(), size, MS_SYNC) == 0);
  }
  REQUIRE(fd.close("close").is_ok());
  // A new descriptor may be served from the page cache: ask the Vfs too.
  CHECK(read_file(file) == written);
  CHECK(content_in_vfs(file) == written);
}

}  // namespace
}  // namespace autosync::testing
