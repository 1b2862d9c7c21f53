// File data through the kernel: what a program writes must be what it reads back and, once
// flushed, exactly what the object on the store holds.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

TEST_CASE("writes at offsets read back and reach the store byte for byte", "[file]") {
  const auto dir = fresh_dir("offsets");
  write_file(dir.path / "f", "hello world");
  {
    UniqueFd fd = open_or_fail(dir.path / "f", O_RDWR);
    pwrite_all(fd.get(), "XY", 6);
    pwrite_all(fd.get(), "tail", 20);  // past the end: bytes 11..19 read as zeros
    CHECK(pread_some(fd.get(), 5, 4) == "o XYr");
  }
  const std::string expected = std::string("hello XYrld") + std::string(9, '\0') + "tail";
  CHECK(read_file(dir.path / "f") == expected);
  flush();
  CHECK(remote_body(dir.key + "f") == expected);
  CHECK(remote_meta(dir.key + "f").mode == (S_IFREG | 0644));
}

TEST_CASE("O_APPEND writes land at the end", "[file]") {
  const auto dir = fresh_dir("append");
  write_file(dir.path / "log", "one\n");
  flush();
  {
    UniqueFd fd = open_or_fail(dir.path / "log", O_WRONLY | O_APPEND);
    REQUIRE(::write(fd.get(), "two\n", 4) == 4);
    REQUIRE(::write(fd.get(), "three\n", 6) == 6);
  }
  CHECK(read_file(dir.path / "log") == "one\ntwo\nthree\n");
  flush();
  CHECK(remote_body(dir.key + "log") == "one\ntwo\nthree\n");
}

TEST_CASE("O_TRUNC empties a file on the store too", "[file]") {
  const auto dir = fresh_dir("otrunc");
  write_file(dir.path / "a", "a long first version");
  write_file(dir.path / "b", "will be emptied");
  flush();
  write_file(dir.path / "a", "short");
  { UniqueFd fd = open_or_fail(dir.path / "b", O_WRONLY | O_TRUNC); }
  CHECK(read_file(dir.path / "a") == "short");
  CHECK(stat_or_fail(dir.path / "b").st_size == 0);
  flush();
  CHECK(remote_body(dir.key + "a") == "short");
  CHECK(remote_body(dir.key + "b") == "");
}

TEST_CASE("O_EXCL refuses an existing name and creates a new one", "[file]") {
  const auto dir = fresh_dir("oexcl");
  write_file(dir.path / "taken", "x");
  flush();
  CHECK_ERRNO(::open((dir.path / "taken").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  {
    UniqueFd fd = open_or_fail(dir.path / "new", O_WRONLY | O_CREAT | O_EXCL, 0600);
    pwrite_all(fd.get(), "fresh", 0);
  }
  flush();
  CHECK(remote_body(dir.key + "taken") == "x");
  CHECK(remote_body(dir.key + "new") == "fresh");
  CHECK(remote_meta(dir.key + "new").mode == (S_IFREG | 0600));
}

TEST_CASE("truncate and ftruncate shrink and grow files on the store", "[file]") {
  const auto dir = fresh_dir("truncate");
  write_file(dir.path / "shrink", "0123456789");
  write_file(dir.path / "grow", "abc");
  flush();
  REQUIRE(::truncate((dir.path / "shrink").c_str(), 4) == 0);
  {
    UniqueFd fd = open_or_fail(dir.path / "grow", O_RDWR);
    REQUIRE(::ftruncate(fd.get(), 8) == 0);
    CHECK(pread_some(fd.get(), 100, 0) == std::string("abc") + std::string(5, '\0'));
  }
  flush();
  CHECK(remote_body(dir.key + "shrink") == "0123");
  CHECK(remote_body(dir.key + "grow") == std::string("abc") + std::string(5, '\0'));
  // A truncate that is the only change (no descriptor open) is journaled on its own.
  REQUIRE(::truncate((dir.path / "shrink").c_str(), 0) == 0);
  flush();
  CHECK(remote_body(dir.key + "shrink") == "");
}

TEST_CASE("a sparse file reads zeros in its hole, locally and on the store", "[file]") {
  const auto dir = fresh_dir("sparse");
  constexpr off_t kEnd = 3 << 20;
  {
    UniqueFd fd = open_or_fail(dir.path / "holes", O_WRONLY | O_CREAT);
    pwrite_all(fd.get(), "head", 0);
    pwrite_all(fd.get(), "end", kEnd);
  }
  const std::string expected = "head" + std::string(kEnd - 4, '\0') + "end";
  CHECK(stat_or_fail(dir.path / "holes").st_size == kEnd + 3);
  CHECK((read_file(dir.path / "holes") == expected));
  flush();
  const auto body = remote_body(dir.key + "holes");
  REQUIRE(body.has_value());
  CHECK(body->size() == expected.size());
  CHECK((*body == expected));
}

TEST_CASE("a shared writable mmap reaches the store", "[file][mmap]") {
  const auto dir = fresh_dir("mmap");
  const std::string data = pattern(10000, 7);
  {
    UniqueFd fd = open_or_fail(dir.path / "mapped", O_RDWR | O_CREAT);
    REQUIRE(::ftruncate(fd.get(), static_cast<off_t>(data.size())) == 0);
    void* map = ::mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    REQUIRE(map != MAP_FAILED);
    std::memcpy(map, data.data(), data.size());
    CHECK(::msync(map, data.size(), MS_SYNC) == 0);
    REQUIRE(::munmap(map, data.size()) == 0);
  }
  CHECK(read_file(dir.path / "mapped") == data);
  flush();
  CHECK(remote_body(dir.key + "mapped") == data);
}

TEST_CASE("fsync uploads while the file is still open", "[file]") {
  const auto dir = fresh_dir("fsync");
  UniqueFd fd = open_or_fail(dir.path / "f", O_WRONLY | O_CREAT);
  pwrite_all(fd.get(), "first", 0);
  REQUIRE(::fsync(fd.get()) == 0);
  REQUIRE(main_mount().flush(1).is_ok());
  CHECK(remote_body(dir.key + "f") == "first");
  pwrite_all(fd.get(), " second", 5);
  REQUIRE(fd.close("close").is_ok());
  flush();
  CHECK(remote_body(dir.key + "f") == "first second");
}

TEST_CASE("an unlinked open file stays readable until it is closed", "[file]") {
  const auto dir = fresh_dir("unlink-open");
  write_file(dir.path / "f", "still here");
  flush();
  REQUIRE(remote_body(dir.key + "f").has_value());
  UniqueFd fd = open_or_fail(dir.path / "f", O_RDONLY);
  REQUIRE(::unlink((dir.path / "f").c_str()) == 0);
  struct stat st {};
  CHECK_ERRNO(::stat((dir.path / "f").c_str(), &st), ENOENT);
  CHECK(pread_some(fd.get(), 100, 0) == "still here");
  REQUIRE(main_mount().flush(1).is_ok());
  CHECK_FALSE(remote_body(dir.key + "f").has_value());
  CHECK(pread_some(fd.get(), 5, 6) == "here");
  REQUIRE(fd.close("close").is_ok());
  flush();
  CHECK(list_dir(dir.path).empty());
  CHECK(remote_keys(dir.key + "f").empty());
}

TEST_CASE("a file unlinked while its first upload runs leaves nothing on the store",
          "[file][unlink]") {
  const auto dir = fresh_dir("unlink-uploading");
  const std::string key = dir.key + "f";
  {
    const auto hold = main_mount().store().hold_puts(key);
    write_file(dir.path / "f", "gone before its upload lands");
    REQUIRE(hold->wait_held(std::chrono::seconds(20)));  // the upload is on the wire
    REQUIRE(::unlink((dir.path / "f").c_str()) == 0);
  }  // the put goes on
  flush();
  CHECK_FALSE(remote_body(key).has_value());
  CHECK(remote_keys_under(dir).empty());
  CHECK(list_dir(dir.path).empty());
}

TEST_CASE("a file replaced by a rename while its first upload runs ends as the new one",
          "[file][rename]") {
  const auto dir = fresh_dir("replace-uploading");
  const std::string key = dir.key + "f";
  {
    const auto hold = main_mount().store().hold_puts(key);
    write_file(dir.path / "f", "first save");
    REQUIRE(hold->wait_held(std::chrono::seconds(20)));  // its upload is on the wire
    write_file(dir.path / "f.tmp", "second save");       // an editor's save: write, rename
    REQUIRE(::rename((dir.path / "f.tmp").c_str(), (dir.path / "f").c_str()) == 0);
    // Both saves are journaled; the first upload is still held, so the journal cannot drain.
    CHECK(main_mount().flush(0, std::chrono::milliseconds(300)).is(ErrorKind::kTransient));
  }
  flush();
  CHECK(remote_keys_under(dir) == std::vector<std::string>{key});
  CHECK(remote_body(key) == "second save");
  CHECK(read_file(dir.path / "f") == "second save");
}

}  // namespace
}  // namespace autosync::testing
