// File data through the kernel: create, positioned writes, append, O_TRUNC, O_EXCL,
// truncate, holes, fsync, and an unlinked file that stays readable while open.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <thread>

#include "tests/fuse/mount_fixture.h"

namespace autosync::testing {
namespace {

off_t size_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_size;
}

TEST_CASE("create, write at offsets and read back", "[file]") {
  const auto file = fresh_dir("offsets") / "f";
  {
    UniqueFd fd = open_or_fail(file, O_RDWR | O_CREAT | O_EXCL, 0640);
    pwrite_all(fd.get(), "hello", 0);
    pwrite_all(fd.get(), "world", 10);
    pwrite_all(fd.get(), "HE", 0);
    CHECK(pread_some(fd.get(), 100, 0) == std::string("HEllo\0\0\0\0\0world", 15));
    CHECK(pread_some(fd.get(), 3, 11) == "orl");
    CHECK(pread_some(fd.get(), 10, 15).empty());  // at the end
    REQUIRE(fd.close("close").is_ok());
  }
  CHECK(size_of(file) == 15);
  CHECK(read_file(file) == std::string("HEllo\0\0\0\0\0world", 15));
  CHECK(content_in_vfs(file) == std::string("HEllo\0\0\0\0\0world", 15));
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_nlink == 1);
}

TEST_CASE("large writes and reads cross request boundaries", "[file]") {
  const auto file = fresh_dir("large") / "big";
  std::string data(3 * 1024 * 1024 + 123, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>('a' + (i * 7) % 26);
  write_file(file, data);
  CHECK(size_of(file) == static_cast<off_t>(data.size()));
  CHECK(read_file(file) == data);
  CHECK(content_in_vfs(file) == data);
}

TEST_CASE("O_APPEND writes land at the end", "[file]") {
  const auto file = fresh_dir("append") / "log";
  write_file(file, "abc");
  UniqueFd first = open_or_fail(file, O_WRONLY | O_APPEND);
  UniqueFd second = open_or_fail(file, O_WRONLY | O_APPEND);
  REQUIRE(::write(first.get(), "def", 3) == 3);
  REQUIRE(::write(second.get(), "ghi", 3) == 3);
  REQUIRE(::write(first.get(), "jk", 2) == 2);
  REQUIRE(first.close("close").is_ok());
  REQUIRE(second.close("close").is_ok());
  CHECK(read_file(file) == "abcdefghijk");
  CHECK(content_in_vfs(file) == "abcdefghijk");
}

TEST_CASE("O_TRUNC empties an existing file", "[file]") {
  const auto file = fresh_dir("trunc") / "f";
  write_file(file, "some old content");
  UniqueFd fd = open_or_fail(file, O_WRONLY | O_TRUNC);
  CHECK(size_of(file) == 0);
  REQUIRE(::write(fd.get(), "new", 3) == 3);
  REQUIRE(fd.close("close").is_ok());
  CHECK(read_file(file) == "new");
}

TEST_CASE("O_CREAT|O_EXCL on an existing file fails with EEXIST", "[file]") {
  const auto file = fresh_dir("excl") / "f";
  write_file(file, "x");
  CHECK_ERRNO(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK(read_file(file) == "x");
  // Without O_EXCL the existing file is opened, not replaced.
  UniqueFd fd = open_or_fail(file, O_RDWR | O_CREAT);
  CHECK(pread_some(fd.get(), 10, 0) == "x");
}

TEST_CASE("truncate and ftruncate shrink and grow with zeros", "[file]") {
  const auto file = fresh_dir("truncate") / "f";
  write_file(file, "0123456789");
  REQUIRE(::truncate(file.c_str(), 4) == 0);
  CHECK(size_of(file) == 4);
  CHECK(read_file(file) == "0123");
  UniqueFd fd = open_or_fail(file, O_RDWR);
  REQUIRE(::ftruncate(fd.get(), 8) == 0);
  CHECK(size_of(file) == 8);
  CHECK(pread_some(fd.get(), 100, 0) == std::string("0123\0\0\0\0", 8));
  REQUIRE(::ftruncate(fd.get(), 0) == 0);
  CHECK(pread_some(fd.get(), 100, 0).empty());
  REQUIRE(fd.close("close").is_ok());
  CHECK(size_of(file) == 0);
}

TEST_CASE("a sparse write reads back zeros in the hole", "[file]") {
  const auto file = fresh_dir("sparse") / "f";
  const off_t far = off_t{5} * 1024 * 1024 + 17;
  {
    UniqueFd fd = open_or_fail(file, O_RDWR | O_CREAT);
    pwrite_all(fd.get(), "head", 0);
    pwrite_all(fd.get(), "tail", far);
    REQUIRE(fd.close("close").is_ok());
  }
  CHECK(size_of(file) == far + 4);
  UniqueFd fd = open_or_fail(file, O_RDONLY);
  CHECK(pread_some(fd.get(), 4, 0) == "head");
  CHECK(pread_some(fd.get(), 8192, off_t{1024} * 1024) == std::string(8192, '\0'));
  CHECK(pread_some(fd.get(), 10, far - 2) == std::string("\0\0tail", 6));
}

TEST_CASE("fsync and fdatasync succeed and the data stays", "[file]") {
  const auto file = fresh_dir("fsync") / "f";
  UniqueFd fd = open_or_fail(file, O_RDWR | O_CREAT);
  pwrite_all(fd.get(), "durable", 0);
  CHECK(::fsync(fd.get()) == 0);
  pwrite_all(fd.get(), "!", 7);
  CHECK(::fdatasync(fd.get()) == 0);
  REQUIRE(fd.close("close").is_ok());
  CHECK(read_file(file) == "durable!");
}

TEST_CASE("an unlinked file stays readable while open, then is reclaimed", "[file]") {
  const auto file = fresh_dir("unlink_open") / "f";
  write_file(file, "still here");
  MemoryVfs& vfs = fuse_mount().vfs();

  UniqueFd fd = open_or_fail(file, O_RDWR);
  REQUIRE(::unlink(file.c_str()) == 0);
  struct stat st {};
  CHECK_ERRNO(::stat(file.c_str(), &st), ENOENT);
  CHECK(pread_some(fd.get(), 100, 0) == "still here");
  pwrite_all(fd.get(), "STILL", 0);
  CHECK(pread_some(fd.get(), 100, 0) == "STILL here");
  REQUIRE(::fstat(fd.get(), &st) == 0);
  CHECK(st.st_nlink == 0);
  const vfs::Ino ino = st.st_ino;
  CHECK(vfs.contains(ino));  // kept for the open descriptor

  // After close the kernel sends release and forget (asynchronously): the inode goes.
  REQUIRE(fd.close("close").is_ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (vfs.contains(ino) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK_FALSE(vfs.contains(ino));
}

TEST_CASE("fallocate is EOPNOTSUPP and posix_fallocate falls back to writing", "[file]") {
  const auto file = fresh_dir("fallocate") / "f";
  UniqueFd fd = open_or_fail(file, O_RDWR | O_CREAT);
  pwrite_all(fd.get(), "abc", 0);
  CHECK_ERRNO(::fallocate(fd.get(), 0, 0, 4096), EOPNOTSUPP);
  REQUIRE(::posix_fallocate(fd.get(), 0, 10000) == 0);
  CHECK(size_of(file) == 10000);
  CHECK(pread_some(fd.get(), 10000, 0) == "abc" + std::string(9997, '\0'));
}

TEST_CASE("opening a directory for writing fails with EISDIR", "[file]") {
  const auto dir = fresh_dir("eisdir");
  CHECK_ERRNO(::open(dir.c_str(), O_WRONLY), EISDIR);
}

}  // namespace
}  // namespace autosync::testing
