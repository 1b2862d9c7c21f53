// Cache bookkeeping: xattrs, cached ranges and cached_bytes, listing state, access times
// and the eviction order.
#include <sys/xattr.h>

#include <catch2/catch.hpp>

#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

using Spans = std::vector<content::ByteSpan>;

TEST_CASE("xattrs: set with create/replace flags, get, list, remove", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a");
  const std::string binary("v\0\xff", 3);
  REQUIRE(f.index->set_xattr(file.ino, "user.b", binary, 0).is_ok());
  REQUIRE(f.index->set_xattr(file.ino, "user.a", "1", XATTR_CREATE).is_ok());
  CHECK(*f.index->get_xattr(file.ino, "user.b") == binary);
  CHECK(*f.index->list_xattrs(file.ino) == std::vector<std::string>{"user.a", "user.b"});
  CHECK(f.index->set_xattr(file.ino, "user.a", "2", XATTR_CREATE).kind() ==
        ErrorKind::kAlreadyExists);
  CHECK(f.index->set_xattr(file.ino, "user.c", "2", XATTR_REPLACE).kind() ==
        ErrorKind::kNoAttribute);
  f.clock.advance(3);
  REQUIRE(f.index->set_xattr(file.ino, "user.a", "2", XATTR_REPLACE).is_ok());
  CHECK(*f.index->get_xattr(file.ino, "user.a") == "2");
  CHECK(f.index->get(file.ino)->ctime_ns == f.clock.now());

  CHECK(f.index->get_xattr(file.ino, "user.none").status().kind() == ErrorKind::kNoAttribute);
  CHECK(f.index->get_xattr(999, "user.a").status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->set_xattr(999, "user.a", "", 0).kind() == ErrorKind::kNotFound);
  CHECK(f.index->set_xattr(file.ino, "", "x", 0).kind() == ErrorKind::kInvalid);
  CHECK(f.index->set_xattr(file.ino, "user.big", std::string(65537, 'x'), 0).kind() ==
        ErrorKind::kTooBig);
  CHECK(f.index->set_xattr(file.ino, "user.a", "x", XATTR_CREATE | XATTR_REPLACE).kind() ==
        ErrorKind::kInvalid);

  REQUIRE(f.index->remove_xattr(file.ino, "user.a").is_ok());
  CHECK(f.index->remove_xattr(file.ino, "user.a").kind() == ErrorKind::kNoAttribute);
  CHECK(*f.index->list_xattrs(file.ino) == std::vector<std::string>{"user.b"});
  CHECK(f.index->list_xattrs(999).status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("ranges merge as they are added and cached_bytes follows", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 1 << 20);
  CHECK(*f.index->add_range(file.ino, 100, 200) == 100);
  CHECK(*f.index->add_range(file.ino, 300, 400) == 200);
  CHECK(*f.index->add_range(file.ino, 150, 250) == 250);  // overlaps the first
  CHECK(*f.index->add_range(file.ino, 250, 300) == 300);  // touches both: one range
  CHECK(f.index->load_ranges(file.ino)->spans() == Spans{{100, 400}});
  CHECK(*f.index->add_range(file.ino, 120, 130) == 300);  // already cached
  CHECK(*f.index->add_range(file.ino, 0, 50) == 350);
  CHECK(*f.index->add_range(file.ino, 10, 10) == 350);  // empty: nothing
  CHECK(*f.index->add_range(file.ino, 0, 1000) == 1000);
  CHECK(f.index->load_ranges(file.ino)->spans() == Spans{{0, 1000}});
  CHECK(f.index->get(file.ino)->cached_bytes == 1000);

  CHECK(f.index->add_range(file.ino, 5, 4).status().kind() == ErrorKind::kInvalid);
  CHECK(f.index->add_range(999, 0, 4).status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("ranges truncate and clear", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 1 << 20);
  REQUIRE(f.index->add_range(file.ino, 0, 100).is_ok());
  REQUIRE(f.index->add_range(file.ino, 200, 300).is_ok());
  REQUIRE(f.index->add_range(file.ino, 400, 500).is_ok());
  CHECK(*f.index->truncate_ranges(file.ino, 250) == 150);
  CHECK(f.index->load_ranges(file.ino)->spans() == Spans{{0, 100}, {200, 250}});
  CHECK(*f.index->truncate_ranges(file.ino, 200) == 100);
  CHECK(f.index->load_ranges(file.ino)->spans() == Spans{{0, 100}});
  REQUIRE(f.index->clear_ranges(file.ino).is_ok());
  CHECK(f.index->load_ranges(file.ino)->empty());
  CHECK(f.index->get(file.ino)->cached_bytes == 0);
  CHECK(f.index->clear_ranges(999).kind() == ErrorKind::kNotFound);
}

TEST_CASE("dir_state records when a directory was listed", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "d");
  CHECK_FALSE(f.index->listed_at(dir.ino)->has_value());
  REQUIRE(f.index->set_listed(dir.ino, 100, false).is_ok());
  REQUIRE(f.index->set_listed(dir.ino, 200, true).is_ok());
  auto listing = f.index->listed_at(dir.ino);
  REQUIRE(listing->has_value());
  CHECK((*listing)->listed_at_ns == 200);
  CHECK((*listing)->complete);
  auto file = f.mkfile(kRootIno, "f");
  CHECK(f.index->set_listed(file.ino, 1, true).kind() == ErrorKind::kNotDirectory);
}

TEST_CASE("eviction candidates: clean, unpinned, closed, cached files, oldest access first",
          "[index]") {
  IndexFixture f;
  auto make = [&](std::string_view name, int64_t access) {
    auto rec = f.mkfile(kRootIno, name, 100);
    REQUIRE(f.index->add_range(rec.ino, 0, 100).is_ok());
    REQUIRE(f.index->touch(rec.ino, access).is_ok());
    return rec;
  };
  auto recent = make("recent", 300);
  auto oldest = make("oldest", 100);
  auto middle = make("middle", 200);
  auto dirty = make("dirty", 50);
  REQUIRE(f.index->bump_local_gen(dirty.ino).is_ok());
  auto pinned = make("pinned", 50);
  AttrChanges pin;
  pin.pinned = true;
  REQUIRE(f.index->set_attrs(pinned.ino, pin).is_ok());
  auto open = make("open", 50);
  REQUIRE(f.index->add_open(open.ino).is_ok());
  f.mkfile(kRootIno, "uncached", 100);

  auto candidates = f.index->eviction_candidates(10);
  REQUIRE(candidates.is_ok());
  std::vector<Ino> order;
  for (const auto& c : *candidates)
    order.push_back(c.ino);
  CHECK(order == std::vector<Ino>{oldest.ino, middle.ino, recent.ino});
  CHECK(candidates->front().cached_bytes == 100);
  CHECK(candidates->front().last_access_ns == 100);

  // A read of the oldest moves it to the back; the limit applies.
  REQUIRE(f.index->touch(oldest.ino, 400).is_ok());
  REQUIRE(f.index->touch(oldest.ino, 350).is_ok());  // access times never go back
  candidates = f.index->eviction_candidates(2);
  REQUIRE(candidates->size() == 2);
  CHECK((*candidates)[0].ino == middle.ino);
  CHECK((*candidates)[1].ino == recent.ino);
  CHECK(f.index->get(oldest.ino)->last_access_ns == 400);
}

TEST_CASE("touch buffers access times until the batch fills or a flush", "[index]") {
  IndexFixture f;
  IndexOptions opts = f.options();
  opts.touch_batch = 3;
  f.index.reset();
  auto opened = Index::open(f.file, opts);
  REQUIRE(opened.is_ok());
  f.index = std::move(opened).value();
  auto a = f.mkfile(kRootIno, "a");
  auto b = f.mkfile(kRootIno, "b");
  auto c = f.mkfile(kRootIno, "c");
  REQUIRE(f.index->touch(a.ino, 10).is_ok());
  REQUIRE(f.index->touch(b.ino, 20).is_ok());
  CHECK(f.index->get(a.ino)->last_access_ns == 0);  // still in memory
  REQUIRE(f.index->touch(c.ino, 30).is_ok());       // third inode: the batch is written
  CHECK(f.index->get(a.ino)->last_access_ns == 10);
  CHECK(f.index->get(c.ino)->last_access_ns == 30);
  REQUIRE(f.index->touch(a.ino, 40).is_ok());
  REQUIRE(f.index->flush_touches().is_ok());
  CHECK(f.index->get(a.ino)->last_access_ns == 40);
  REQUIRE(f.index->touch(b.ino, 50).is_ok());
  f.reopen();  // closing the index writes what is buffered
  CHECK(f.index->get(b.ino)->last_access_ns == 50);
  REQUIRE(f.index->touch(999, 1).is_ok());  // unknown inodes are ignored
  REQUIRE(f.index->flush_touches().is_ok());
}
