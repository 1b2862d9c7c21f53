// A directory of 100,000 objects listed through CacheVfs from an in-memory store: the
// listing is reconciled page by page and readdir reads the index a page at a time, so
// neither holds the whole directory; every name arrives once, and a relisting drops what
// the store lost.
#include <fmt/format.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <set>

#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using testing::VfsFixture;

constexpr int kObjects = 100'000;

std::string key_of(int i) {
  return fmt::format("big/f{:06}", i);
}

// Every entry of `dir`, through opendir/readdir, resuming at each batch's last cookie as
// the kernel does; checks names arrive once and in order.
size_t count_entries(CacheVfs& vfs, const Caller& who, Ino dir) {
  auto handle = vfs.opendir(who, dir);
  REQUIRE(handle.is_ok());
  size_t count = 0;
  uint64_t cookie = 0;
  std::string last;
  bool in_order = true;
  for (bool more = true; more;) {
    size_t batch = 0;
    more = false;
    REQUIRE(vfs.readdir(dir, *handle, cookie,
                        [&](const DirEntry& e) {
                          if (batch == 500) {
                            more = true;  // the kernel's buffer is full: this one comes again
                            return false;
                          }
                          ++batch;
                          ++count;
                          if (e.name != "." && e.name != "..") {
                            in_order = in_order && e.name > last;
                            last = e.name;
                          }
                          cookie = e.cookie;
                          return true;
                        })
                .is_ok());
  }
  CHECK(in_order);
  REQUIRE(vfs.releasedir(dir, *handle).is_ok());
  return count;
}

TEST_CASE("a directory of 100 thousand objects lists completely, one page at a time", "[large]") {
  VfsFixture f;
  backends::testing::MemoryStore memory;
  for (int i = 0; i < kObjects; ++i) {
    backends::BufferSource empty("");
    REQUIRE(memory.put(key_of(i), empty, {}).is_ok());
  }
  CacheVfs vfs(*f.index, *f.content, memory, f.notifier, f.options);
  auto big = vfs.lookup(f.who, kRootIno, "big");
  REQUIRE(big.is_ok());
  const Ino dir = big->attr.ino;

  CHECK(count_entries(vfs, f.who, dir) == kObjects + 2);
  CHECK(memory.calls("list") >= kObjects / 1000);  // paged, as the store hands it out
  CHECK(*f.index->child_count(dir) == kObjects);

  // The store loses a few; the next listing pass drops exactly those.
  const std::set<int> lost{0, 1, 4'999, 50'000, 99'999};
  for (int i : lost)
    REQUIRE(memory.remove(key_of(i)).is_ok());
  f.expire_listings();
  CHECK(count_entries(vfs, f.who, dir) == kObjects - lost.size() + 2);
  CHECK(vfs.lookup(f.who, dir, "f050000").status().kind() == ErrorKind::kNotFound);
  CHECK(vfs.lookup(f.who, dir, "f050001").is_ok());
}

TEST_CASE("readdir pages: a cookie from any page resumes there, changes cause no repeats") {
  VfsFixture f;
  index::NewInode spec;
  spec.mode = S_IFREG | 0644;
  for (int i = 0; i < 2500; ++i)  // local names: no store listing involved
    REQUIRE(f.index->create(kRootIno, fmt::format("n{:05}", i), spec).is_ok());
  auto handle = f.vfs->opendir(f.who, kRootIno);
  REQUIRE(handle.is_ok());
  auto read_from = [&](uint64_t cookie, size_t limit) {
    std::vector<DirEntry> out;
    REQUIRE(f.vfs
                ->readdir(kRootIno, *handle, cookie,
                          [&](const DirEntry& e) {
                            out.push_back(e);
                            return out.size() < limit;
                          })
                .is_ok());
    return out;
  };
  auto first = read_from(0, 2100);  // ".", "..", then into the third page
  REQUIRE(first.size() == 2100);
  CHECK(first[2].name == "n00000");
  CHECK(first.back().name == "n02097");
  // A name that sorts before the position appears nowhere; the rest follows without repeats.
  REQUIRE(f.index->create(kRootIno, "n00010x", spec).is_ok());
  auto rest = read_from(first.back().cookie, 10'000);
  REQUIRE(rest.size() == 402);
  CHECK(rest.front().name == "n02098");
  CHECK(rest.back().name == "n02499");
  // seekdir back into the first page: counted again from the start (now with the new name).
  auto again = read_from(first[1500].cookie, 3);
  REQUIRE(again.size() == 3);
  CHECK(again[0].cookie == first[1500].cookie + 1);
  CHECK(again[0].name == "n01498");  // position 1501 counts the new n00010x
  REQUIRE(f.vfs->releasedir(kRootIno, *handle).is_ok());
}

}  // namespace
}  // namespace autosync::vfs
