#include "core/content/content_store.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

using namespace autosync;
using autosync::content::ContentStore;

namespace {

std::string read_all(ContentStore& store, uint64_t id, size_t max = 1 << 20) {
  std::string buf(max, '\0');
  auto n = store.read(id, 0, buf);
  REQUIRE(n.is_ok());
  buf.resize(*n);
  return buf;
}

}  // namespace

TEST_CASE("writes at any offset read back, holes read as zeros", "[content]") {
  testing::TempDir dir;
  auto store = ContentStore::open(dir.path() / "content");
  REQUIRE(store.is_ok());
  ContentStore& s = **store;
  CHECK(read_all(s, 7).empty());  // never written
  REQUIRE(s.write(7, 0, std::string_view("hello")).is_ok());
  REQUIRE(s.write(7, 10, std::string_view("world")).is_ok());
  CHECK(read_all(s, 7) == std::string("hello\0\0\0\0\0world", 15));
  REQUIRE(s.truncate(7, 3).is_ok());
  CHECK(read_all(s, 7) == "hel");
  REQUIRE(s.sync(7).is_ok());
  REQUIRE(s.remove(7).is_ok());
  CHECK(read_all(s, 7).empty());
  CHECK(s.remove(7).is_ok());
}

TEST_CASE("punching a hole frees space and reads as zeros", "[content]") {
  testing::TempDir dir;
  auto store = ContentStore::open(dir.path());
  REQUIRE(store.is_ok());
  ContentStore& s = **store;
  const std::string data(1 << 20, 'x');
  REQUIRE(s.write(1, 0, data).is_ok());
  REQUIRE(s.sync(1).is_ok());
  const uint64_t before = *s.allocated_bytes(1);
  REQUIRE(s.punch_hole(1, 0, 512 * 1024).is_ok());
  CHECK(*s.allocated_bytes(1) < before);
  const std::string back = read_all(s, 1, 2 << 20);
  CHECK(back.size() == data.size());
  CHECK(back.substr(0, 512 * 1024) == std::string(512 * 1024, '\0'));
  CHECK(back.substr(512 * 1024) == std::string(512 * 1024, 'x'));
}

TEST_CASE("more files than the descriptor cache holds stay correct", "[content]") {
  testing::TempDir dir;
  auto store = ContentStore::open(dir.path(), 4);
  REQUIRE(store.is_ok());
  ContentStore& s = **store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s, t] {
      for (uint64_t id = 0; id < 50; ++id) {
        (void)s.write(id, static_cast<uint64_t>(t), std::string_view("abcd").substr(t, 1));
      }
    });
  }
  for (auto& th : threads)
    th.join();
  for (uint64_t id = 0; id < 50; ++id)
    CHECK(read_all(s, id) == "abcd");
  auto reader = s.open_reader(3);
  REQUIRE(reader.is_ok());
  CHECK(reader->valid());
}
